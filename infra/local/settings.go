package main

import (
	"fmt"
	"io"
	"slices"

	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/wechattest"
)

// devDefaults are the values the runner uses for what the environment leaves unset.
// They are for local runs only, so printing them is fine.
var devDefaults = map[string]string{
	"TABLE_NAME":              "wentitong-local",
	"WECHAT_APP_ID":           "wx-dev-app",
	"WECHAT_APP_SECRET":       "dev-secret",
	"WECHAT_TOKEN":            "dev-token",
	"WECHAT_ENCODING_AES_KEY": "wentitongLocalDevEncodingAESKey0123456789ab", // 43 characters
	"WECHAT_MESSAGE_MODE":     "compat",                                      // the simulator posts in safe mode, curl in plain
	"SESSION_SECRET":          "wentitong-local-dev-session-secret-0123456789",
	"TICKET_SIGNING_KEY":      "d2VudGl0b25nLWxvY2FsLWRldi10aWNrZXQtc2VlZCE=", // base64 of a 32-byte seed
	"TICKET_PUBLIC_KEY":       "0aVq7hPL7djpZcJrpQ26qKqm8jQ31g0usSY3gQvG51o=", // its public key
	"ID_HASH_KEY":             "wentitong-local-dev-id-number-hash-key-0123456789",
	"ADMIN_OPENIDS":           "o-admin",
	"MEDIA_BUCKET":            "wentitong-media-local",
	"MINIPROGRAM_APP_ID":      wechattest.MiniAppID, // the fake's mini program
	"MINIPROGRAM_APP_SECRET":  wechattest.MiniAppSecret,
}

// settings are the runner's configuration: the environment's values where set, dev
// defaults otherwise, and the endpoints of the engines the runner starts.
type settings struct {
	values  map[string]string
	fromEnv map[string]bool
	notes   map[string]string // printed after a value
}

func newSettings(getenv func(string) string) *settings {
	s := &settings{values: map[string]string{}, fromEnv: map[string]bool{}, notes: map[string]string{}}
	for _, name := range config.Variables {
		if v := getenv(name); v != "" {
			s.values[name], s.fromEnv[name] = v, true
			continue
		}
		s.values[name] = devDefaults[name]
	}
	return s
}

func (s *settings) get(name string) string { return s.values[name] }

// set gives name a value the runner chose, with a note saying where it comes from.
func (s *settings) set(name, value, note string) {
	s.values[name], s.fromEnv[name], s.notes[name] = value, false, note
}

func (s *settings) config() config.Config { return config.From(s.get) }

// print writes every variable, hiding the secrets the environment supplied.
func (s *settings) print(w io.Writer) {
	for _, name := range config.Variables {
		v := s.values[name]
		switch {
		case s.fromEnv[name] && slices.Contains(config.Secrets, name):
			v = "(from environment)"
		case s.fromEnv[name]:
			v += "  (from environment)"
		case v == "":
			v = "(unset)"
		}
		if note := s.notes[name]; note != "" {
			v += "  (" + note + ")"
		}
		fmt.Fprintf(w, "  %-24s %s\n", name, v)
	}
}
