package view

import (
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
)

// Tenant is a tenant with its settings; lifetimes are in seconds.
type Tenant struct {
	ID                 string     `json:"id"`
	AccountID          string     `json:"account_id,omitempty"`
	Name               string     `json:"name"`
	Admin              bool       `json:"admin"`
	Issuer             string     `json:"issuer,omitempty"`
	Status             string     `json:"status" jsonschema:"active, or suspended: the tenant's issuer refuses every request until it is resumed."`
	SuspendedAt        *time.Time `json:"suspended_at,omitempty" jsonschema:"When the tenant was suspended; absent while active."`
	AllowRegistration  bool       `json:"allow_registration"`
	AuthMethods        []string   `json:"auth_methods"`
	AllowedOrigins     []string   `json:"allowed_origins"`
	SigningAlg         string     `json:"signing_alg"`
	AccessTokenTTL     int        `json:"access_token_ttl"`
	IDTokenTTL         int        `json:"id_token_ttl"`
	RefreshTokenTTL    int        `json:"refresh_token_ttl"`
	RefreshAbsoluteTTL int        `json:"refresh_absolute_ttl"`
	SessionTTL         int        `json:"session_ttl"`
	SessionIdleTTL     int        `json:"session_idle_ttl"`
	EmailFromName      string     `json:"email_from_name,omitempty"`
	EmailFromAddress   string     `json:"email_from_address,omitempty"`
	DefaultLanguage    string     `json:"default_language"`
	CreatedAt          time.Time  `json:"created_at"`
	UpdatedAt          time.Time  `json:"updated_at"`
}

// NewTenant shows a tenant as manage returns it.
func NewTenant(t *manage.TenantResult) Tenant {
	return Tenant{
		ID: t.ID, AccountID: t.AccountID, Name: t.Name, Admin: t.Admin, Issuer: t.Issuer,
		Status: string(tenantStatus(t.Status)), SuspendedAt: t.SuspendedAt,
		AllowRegistration: t.AllowRegistration, AuthMethods: NonNil(t.AuthMethods), AllowedOrigins: NonNil(t.AllowedOrigins),
		SigningAlg: t.SigningAlg, AccessTokenTTL: t.AccessTokenTTL, IDTokenTTL: t.IDTokenTTL,
		RefreshTokenTTL: t.RefreshTokenTTL, RefreshAbsoluteTTL: t.RefreshAbsoluteTTL,
		SessionTTL: t.SessionTTL, SessionIdleTTL: t.SessionIdleTTL,
		EmailFromName: t.EmailFromName, EmailFromAddress: t.EmailFromAddress, DefaultLanguage: t.DefaultLanguage,
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
	}
}

// tenantStatus shows an unset status (a tenant not read from the store)
// as active, the store's default.
func tenantStatus(s idp.TenantStatus) idp.TenantStatus {
	if s == "" {
		return idp.TenantActive
	}
	return s
}
