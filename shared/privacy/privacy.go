// Package privacy masks personal data and secrets before anything is logged.
package privacy

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// secretParam matches the query parameters and JSON fields that carry secrets in WeChat
// API URLs and bodies, and in SDK error messages that quote them.
var secretParam = regexp.MustCompile(`(?i)(\b(?:access_token|secret|appsecret|code|refresh_token|ticket|echostr|signature|msg_signature)["']?\s*[=:]\s*["']?)[^&"'\s,}]+`)

// Redact replaces the values of secret-bearing parameters in s with "***".
func Redact(s string) string {
	return secretParam.ReplaceAllString(s, "${1}***")
}

// OpenID masks an openid for logs: the first four and last two characters stay, so that
// lines about one person can be told apart; ids of ten characters or fewer are masked whole.
func OpenID(id string) string {
	if id == "" {
		return ""
	}
	if utf8.RuneCountInString(id) <= 10 {
		return "***"
	}
	return id[:4] + "…" + id[len(id)-2:]
}

// IDNumber masks a resident identity card number to its first and last two characters.
func IDNumber(id string) string {
	id = strings.TrimSpace(id)
	if len(id) <= 4 {
		return strings.Repeat("*", len(id))
	}
	return id[:2] + strings.Repeat("*", len(id)-4) + id[len(id)-2:]
}

// Within masks every occurrence of the given openids in s, as OpenID does: for ids that
// embed the person they concern (an outbox message's id holds its recipient's openid).
func Within(s string, openids ...string) string {
	for _, id := range openids {
		if id != "" {
			s = strings.ReplaceAll(s, id, OpenID(id))
		}
	}
	return s
}
