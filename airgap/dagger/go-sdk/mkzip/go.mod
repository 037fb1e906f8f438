module todo.local/mkzip

go 1.26.8

require golang.org/x/mod v0.29.0
