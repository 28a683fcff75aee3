// Package web holds the HTTP basics every function shares: JSON bodies with size limits,
// the one error body and the one kind→status map, a router that answers unknown routes
// in JSON, request ids, panic recovery and a structured access log without secrets.
package web
