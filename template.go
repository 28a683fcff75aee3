// Package wentitong embeds template.yaml, the one definition of the platform's functions,
// routes and table, so that a program built from this module (the local runner, the
// tests) reads the template it was built with, whatever its working directory.
package wentitong

import _ "embed"

// Template is template.yaml as it was when the program was built.
//
//go:embed template.yaml
var Template []byte
