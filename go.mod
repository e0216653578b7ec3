module github.com/authalla/authalla

go 1.26.8
