// Package privacy masks personal data and secrets before anything is logged, and keeps
// resident identity card numbers as the platform stores them: checked, a keyed hash and
// a masked form, never the number itself.
package privacy

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"time"
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

// idWeights are GB 11643-1999's weights of the first 17 digits; idCheck the check
// character for each remainder of the weighted sum modulo 11.
var (
	idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	idCheck   = "10X98765432"
)

// IDCheckChar returns the GB 11643-1999 check character of the first 17 digits of an
// ID number, or 0 when first17 is not 17 digits.
func IDCheckChar(first17 string) byte {
	if len(first17) != 17 {
		return 0
	}
	sum := 0
	for i := range 17 {
		c := first17[i]
		if c < '0' || c > '9' {
			return 0
		}
		sum += int(c-'0') * idWeights[i]
	}
	return idCheck[sum%11]
}

// ValidIDNumber reports whether id is an 18-character resident identity card number with
// a plausible date of birth and the right check character (GB 11643-1999).
func ValidIDNumber(id string) bool {
	if len(id) != 18 || IDCheckChar(id[:17]) != id[17] {
		return false
	}
	birth, err := time.Parse("20060102", id[6:14])
	return err == nil && birth.Year() >= 1900
}

// IDBirthYear is the year of birth an ID number states (ValidIDNumber's numbers only).
func IDBirthYear(id string) int {
	t, err := time.Parse("20060102", id[6:14])
	if err != nil {
		return 0
	}
	return t.Year()
}

// HashIDNumber is the keyed hash of an ID number: HMAC-SHA256 under key, hex. Without the
// key the hash cannot be brute-forced from the small space of valid numbers.
func HashIDNumber(key []byte, id string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(strings.ToUpper(strings.TrimSpace(id))))
	return hex.EncodeToString(m.Sum(nil))
}

// IDKeyID names an ID number hash key without revealing it: the first 8 hex digits of
// SHA-256 over a label and the key. It is stored beside each hash, so that after the
// key is rotated the hashes made with an older key are told apart.
func IDKeyID(key []byte) string {
	sum := sha256.Sum256(append([]byte("wentitong id-number key id\x00"), key...))
	return hex.EncodeToString(sum[:4])
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
