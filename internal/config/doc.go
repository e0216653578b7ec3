// Package config holds the typed process configuration: flags, AUTHALLA_*
// environment variables and defaults, checked by Validate so that bad
// settings fail at start with a message naming the setting.
package config
