package privacy

import "testing"

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http get error : uri=https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=S3CR3T , statusCode=500",
			"http get error : uri=https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=*** , statusCode=500"},
		{"https://x/cgi-bin/message/template/send?access_token=TOKEN123", "https://x/cgi-bin/message/template/send?access_token=***"},
		{"sns?appid=wx1&secret=abc&code=dev:o-1&grant_type=authorization_code", "sns?appid=wx1&secret=***&code=***&grant_type=authorization_code"},
		{`{"access_token":"abc","expires_in":7200}`, `{"access_token":"***","expires_in":7200}`},
		{"nothing secret here", "nothing secret here"},
	}
	for _, tt := range tests {
		if got := Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestOpenID(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"o-1", "***"},
		{"oAbcdefghijklmnopqrstuvwxyz9", "oAbc…z9"},
	}
	for _, tt := range tests {
		if got := OpenID(tt.in); got != tt.want {
			t.Errorf("OpenID(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIDNumber(t *testing.T) {
	if got, want := IDNumber("430202199001011234"), "43**************34"; got != want {
		t.Errorf("IDNumber = %q, want %q", got, want)
	}
	if got := IDNumber("123"); got != "***" {
		t.Errorf("IDNumber(123) = %q, want ***", got)
	}
}
