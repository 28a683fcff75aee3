// Package config reads the platform's configuration from the environment (DESIGN.md §4).
package config

import (
	"fmt"
	"os"
	"strings"
)

// Config is every setting a function may read. Each function checks the ones it needs
// when it builds its dependencies (app.New), so a missing value fails the cold start
// with a clear message rather than a request later.
type Config struct {
	TableName        string   // TABLE_NAME
	DynamoEndpoint   string   // DYNAMODB_ENDPOINT (optional)
	WeChatAppID      string   // WECHAT_APP_ID
	WeChatAppSecret  string   // WECHAT_APP_SECRET
	WeChatToken      string   // WECHAT_TOKEN
	WeChatAESKey     string   // WECHAT_ENCODING_AES_KEY
	WeChatAPIBase    string   // WECHAT_API_BASE (optional)
	SessionSecret    string   // SESSION_SECRET
	TicketSigningKey string   // TICKET_SIGNING_KEY (Ed25519 seed, base64)
	AdminOpenIDs     []string // ADMIN_OPENIDS, comma-separated
	LogLevel         string   // LOG_LEVEL: debug, info (default), warn, error
	NotifyTemplates  string   // NOTIFY_TEMPLATES: JSON {kind: {channel, templateId, fields}}
	NotifyRate       string   // NOTIFY_RATE: sends per second per notifier
	H5BaseURL        string   // H5_BASE_URL: the H5 site the chat and the menu link to (optional)
}

// Variables lists the environment variables Config reads, in order.
var Variables = []string{
	"TABLE_NAME", "DYNAMODB_ENDPOINT",
	"WECHAT_APP_ID", "WECHAT_APP_SECRET", "WECHAT_TOKEN", "WECHAT_ENCODING_AES_KEY", "WECHAT_API_BASE",
	"SESSION_SECRET", "TICKET_SIGNING_KEY", "ADMIN_OPENIDS", "LOG_LEVEL",
	"NOTIFY_TEMPLATES", "NOTIFY_RATE", "H5_BASE_URL",
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
		WeChatAPIBase:    getenv("WECHAT_API_BASE"),
		SessionSecret:    getenv("SESSION_SECRET"),
		TicketSigningKey: getenv("TICKET_SIGNING_KEY"),
		LogLevel:         getenv("LOG_LEVEL"),
		NotifyTemplates:  getenv("NOTIFY_TEMPLATES"),
		NotifyRate:       getenv("NOTIFY_RATE"),
		H5BaseURL:        getenv("H5_BASE_URL"),
	}
	for _, id := range strings.Split(getenv("ADMIN_OPENIDS"), ",") {
		if id = strings.TrimSpace(id); id != "" {
			c.AdminOpenIDs = append(c.AdminOpenIDs, id)
		}
	}
	return c
}

// Require returns an error naming every listed variable that is empty.
func (c Config) Require(names ...string) error {
	values := map[string]string{
		"TABLE_NAME": c.TableName, "DYNAMODB_ENDPOINT": c.DynamoEndpoint,
		"WECHAT_APP_ID": c.WeChatAppID, "WECHAT_APP_SECRET": c.WeChatAppSecret,
		"WECHAT_TOKEN": c.WeChatToken, "WECHAT_ENCODING_AES_KEY": c.WeChatAESKey,
		"WECHAT_API_BASE": c.WeChatAPIBase, "SESSION_SECRET": c.SessionSecret,
		"TICKET_SIGNING_KEY": c.TicketSigningKey, "LOG_LEVEL": c.LogLevel,
		"ADMIN_OPENIDS":    strings.Join(c.AdminOpenIDs, ","),
		"NOTIFY_TEMPLATES": c.NotifyTemplates, "NOTIFY_RATE": c.NotifyRate,
		"H5_BASE_URL": c.H5BaseURL,
	}
	var missing []string
	for _, n := range names {
		v, known := values[n]
		if !known {
			return fmt.Errorf("config: unknown variable %s", n)
		}
		if v == "" {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("config: missing %s", strings.Join(missing, ", "))
	}
	return nil
}
