// Package config reads the platform's configuration from the environment.
package config

import (
	"fmt"
	"os"
	"slices"
	"strings"
)

// Config is every setting a function may read. Each function declares the ones it reads
// in its Needs and checks them when it builds its dependencies, so a missing value fails
// the cold start with a clear message rather than a request later.
type Config struct {
	TableName        string   // TABLE_NAME
	DynamoEndpoint   string   // DYNAMODB_ENDPOINT (optional)
	WeChatAppID      string   // WECHAT_APP_ID
	WeChatAppSecret  string   // WECHAT_APP_SECRET
	WeChatToken      string   // WECHAT_TOKEN
	WeChatAESKey     string   // WECHAT_ENCODING_AES_KEY
	WeChatMode       string   // WECHAT_MESSAGE_MODE: plain, compat or safe, as set in WeChat
	WeChatAPIBase    string   // WECHAT_API_BASE (optional)
	MiniAppID        string   // MINIPROGRAM_APP_ID: the mini program signing in to the same API (optional)
	MiniAppSecret    string   // MINIPROGRAM_APP_SECRET
	SessionSecret    string   // SESSION_SECRET
	TicketSigningKey string   // TICKET_SIGNING_KEY (Ed25519 seed, base64): signs tickets
	TicketPublicKey  string   // TICKET_PUBLIC_KEY (Ed25519 public key, base64): verifies them
	IDHashKey        string   // ID_HASH_KEY: the key of ID numbers' hashes (at least 32 bytes)
	AdminOpenIDs     []string // ADMIN_OPENIDS, comma-separated
	LogLevel         string   // LOG_LEVEL: debug, info (default), warn, error
	NotifyTemplates  string   // NOTIFY_TEMPLATES: JSON {kind: {channel, templateId, fields}}
	NotifyRate       string   // NOTIFY_RATE: sends per second per notifier
	H5BaseURL        string   // H5_BASE_URL: the H5 site the chat and the menu link to (optional)
	MediaBucket      string   // MEDIA_BUCKET: the S3 bucket of the library's media
	S3Endpoint       string   // S3_ENDPOINT: optional endpoint override (the embedded S3 server)

	// Refs holds, by secret variable, the id (ARN or name) of the Secrets Manager secret
	// whose value it is (from <VARIABLE>_ARN, SecretRef): deployed functions are given
	// these, never the values, and read the values at run time (boot.Base.Secret).
	Refs map[string]string
}

// Variables lists the environment variables Config reads, in order.
var Variables = []string{
	"TABLE_NAME", "DYNAMODB_ENDPOINT",
	"WECHAT_APP_ID", "WECHAT_APP_SECRET", "WECHAT_TOKEN", "WECHAT_ENCODING_AES_KEY", "WECHAT_MESSAGE_MODE", "WECHAT_API_BASE",
	"MINIPROGRAM_APP_ID", "MINIPROGRAM_APP_SECRET",
	"SESSION_SECRET", "TICKET_SIGNING_KEY", "TICKET_PUBLIC_KEY", "ID_HASH_KEY", "ADMIN_OPENIDS", "LOG_LEVEL",
	"NOTIFY_TEMPLATES", "NOTIFY_RATE", "H5_BASE_URL", "MEDIA_BUCKET", "S3_ENDPOINT",
}

// Secrets are the variables kept in Secrets Manager, one secret each, so that each
// function is granted only those it reads; functions are given their references
// (SecretRef), never their values, and never log or print them. TICKET_PUBLIC_KEY is
// no secret, but it is kept beside the private key so that the two rotate together.
var Secrets = []string{"WECHAT_APP_SECRET", "MINIPROGRAM_APP_SECRET", "WECHAT_TOKEN", "WECHAT_ENCODING_AES_KEY", "SESSION_SECRET", "TICKET_SIGNING_KEY", "TICKET_PUBLIC_KEY", "ID_HASH_KEY"}

// SecretRef is the variable that names where a secret variable's value is kept: for
// SESSION_SECRET, SESSION_SECRET_ARN holds the id (ARN or name) of the Secrets Manager
// secret whose value is the session secret.
func SecretRef(v string) string { return v + "_ARN" }

// Secret returns the value a secret variable is set to in c itself (the local runner's,
// the tests' and the benchmarks' plain values), or "".
func (c Config) Secret(v string) string {
	switch v {
	case "WECHAT_APP_SECRET":
		return c.WeChatAppSecret
	case "MINIPROGRAM_APP_SECRET":
		return c.MiniAppSecret
	case "WECHAT_TOKEN":
		return c.WeChatToken
	case "WECHAT_ENCODING_AES_KEY":
		return c.WeChatAESKey
	case "SESSION_SECRET":
		return c.SessionSecret
	case "TICKET_SIGNING_KEY":
		return c.TicketSigningKey
	case "TICKET_PUBLIC_KEY":
		return c.TicketPublicKey
	case "ID_HASH_KEY":
		return c.IDHashKey
	}
	return ""
}

// WithoutSecrets returns c with every secret's value cleared (the references kept).
func (c Config) WithoutSecrets() Config {
	c.WeChatAppSecret, c.WeChatToken, c.WeChatAESKey, c.SessionSecret = "", "", "", ""
	c.TicketSigningKey, c.TicketPublicKey, c.IDHashKey, c.MiniAppSecret = "", "", "", ""
	return c
}

// Needs names the configuration one function reads: Required must be set, Optional may
// be. Each function declares its Needs in one place, next to its constructor; a test
// checks that template.yaml gives each function what its Needs name and nothing more.
type Needs struct {
	Required []string
	Optional []string
}

// And returns the union of n and others, a variable required by any of them required.
func (n Needs) And(others ...Needs) Needs {
	required := slices.Clone(n.Required)
	optional := slices.Clone(n.Optional)
	for _, o := range others {
		required = append(required, o.Required...)
		optional = append(optional, o.Optional...)
	}
	slices.Sort(required)
	required = slices.Compact(required)
	slices.Sort(optional)
	optional = slices.DeleteFunc(slices.Compact(optional), func(v string) bool { return slices.Contains(required, v) })
	return Needs{Required: required, Optional: optional}
}

// All returns every variable n names, required first.
func (n Needs) All() []string { return append(slices.Clone(n.Required), n.Optional...) }

// Secrets returns the variables n names that hold secrets.
func (n Needs) Secrets() []string {
	var out []string
	for _, v := range n.All() {
		if slices.Contains(Secrets, v) {
			out = append(out, v)
		}
	}
	return out
}

// Check returns an error naming every variable n requires that c leaves empty, and
// any variable n names that Config does not read.
func (c Config) Check(n Needs) error {
	for _, v := range n.Optional {
		if !slices.Contains(Variables, v) {
			return fmt.Errorf("config: unknown variable %s", v)
		}
	}
	return c.Require(n.Required...)
}

// FromEnv reads the configuration from the process environment.
func FromEnv() Config { return From(os.Getenv) }

// From reads the configuration through getenv.
func From(getenv func(string) string) Config {
	c := Config{
		TableName:        getenv("TABLE_NAME"),
		DynamoEndpoint:   getenv("DYNAMODB_ENDPOINT"),
		WeChatAppID:      getenv("WECHAT_APP_ID"),
		WeChatAppSecret:  getenv("WECHAT_APP_SECRET"),
		WeChatToken:      getenv("WECHAT_TOKEN"),
		WeChatAESKey:     getenv("WECHAT_ENCODING_AES_KEY"),
		WeChatMode:       getenv("WECHAT_MESSAGE_MODE"),
		WeChatAPIBase:    getenv("WECHAT_API_BASE"),
		MiniAppID:        getenv("MINIPROGRAM_APP_ID"),
		MiniAppSecret:    getenv("MINIPROGRAM_APP_SECRET"),
		SessionSecret:    getenv("SESSION_SECRET"),
		TicketSigningKey: getenv("TICKET_SIGNING_KEY"),
		TicketPublicKey:  getenv("TICKET_PUBLIC_KEY"),
		IDHashKey:        getenv("ID_HASH_KEY"),
		LogLevel:         getenv("LOG_LEVEL"),
		NotifyTemplates:  getenv("NOTIFY_TEMPLATES"),
		NotifyRate:       getenv("NOTIFY_RATE"),
		H5BaseURL:        getenv("H5_BASE_URL"),
		MediaBucket:      getenv("MEDIA_BUCKET"),
		S3Endpoint:       getenv("S3_ENDPOINT"),
	}
	for _, v := range Secrets {
		if ref := getenv(SecretRef(v)); ref != "" {
			if c.Refs == nil {
				c.Refs = map[string]string{}
			}
			c.Refs[v] = ref
		}
	}
	for _, id := range strings.Split(getenv("ADMIN_OPENIDS"), ",") {
		if id = strings.TrimSpace(id); id != "" {
			c.AdminOpenIDs = append(c.AdminOpenIDs, id)
		}
	}
	return c
}

// Require returns an error naming every listed variable that is empty; a secret is set
// when its value or its reference is.
func (c Config) Require(names ...string) error {
	values := map[string]string{
		"TABLE_NAME": c.TableName, "DYNAMODB_ENDPOINT": c.DynamoEndpoint,
		"WECHAT_APP_ID": c.WeChatAppID, "WECHAT_APP_SECRET": c.WeChatAppSecret,
		"WECHAT_TOKEN": c.WeChatToken, "WECHAT_ENCODING_AES_KEY": c.WeChatAESKey,
		"WECHAT_MESSAGE_MODE": c.WeChatMode,
		"WECHAT_API_BASE":     c.WeChatAPIBase, "SESSION_SECRET": c.SessionSecret,
		"MINIPROGRAM_APP_ID": c.MiniAppID, "MINIPROGRAM_APP_SECRET": c.MiniAppSecret,
		"TICKET_SIGNING_KEY": c.TicketSigningKey, "TICKET_PUBLIC_KEY": c.TicketPublicKey,
		"ID_HASH_KEY": c.IDHashKey, "LOG_LEVEL": c.LogLevel,
		"ADMIN_OPENIDS":    strings.Join(c.AdminOpenIDs, ","),
		"NOTIFY_TEMPLATES": c.NotifyTemplates, "NOTIFY_RATE": c.NotifyRate,
		"H5_BASE_URL": c.H5BaseURL, "MEDIA_BUCKET": c.MediaBucket, "S3_ENDPOINT": c.S3Endpoint,
	}
	var missing []string
	for _, n := range names {
		v, known := values[n]
		if !known {
			return fmt.Errorf("config: unknown variable %s", n)
		}
		if v == "" && c.Refs[n] == "" {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("config: missing %s", strings.Join(missing, ", "))
	}
	return nil
}
