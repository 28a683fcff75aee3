package wechat

import (
	"regexp"
	"unicode/utf8"
)

// secretParam matches the value of a query parameter that grants access.
var secretParam = regexp.MustCompile(`(?i)([?&](?:access_token|secret|appsecret|code|refresh_token|ticket)=)[^&#\s"'<>]*`)

// Redact replaces the values of secret query parameters (access_token, secret,
// appsecret, code, refresh_token, ticket) in s with "***". The SDK's errors embed full
// request URLs, so run every WeChat error through Redact before logging it.
func Redact(s string) string {
	return secretParam.ReplaceAllString(s, "${1}***")
}

// MaskOpenID returns openid with all but its first and last four characters hidden,
// enough to tell users apart in logs without recording who they are. An empty openid
// stays empty; one shorter than 16 characters is hidden entirely.
func MaskOpenID(openid string) string {
	const keep = 4
	switch n := utf8.RuneCountInString(openid); {
	case n == 0:
		return ""
	case n < 4*keep:
		return "***"
	}
	r := []rune(openid)
	return string(r[:keep]) + "…" + string(r[len(r)-keep:])
}
