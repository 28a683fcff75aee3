package sam

import (
	"testing"
)

// The account's concurrency and the API's limits are shared out in template.yaml
// (docs/operations.md, "Concurrency and throttling"); these are the rules that keep the
// chat answering during a sale.
const (
	accountConcurrency   = 1000 // Lambda's default per account and region
	unreservedMinimum    = 100  // what Lambda insists stays unreserved
	wechatTimeoutSeconds = 5    // WeChat gives up on the callback after this
)

func TestConcurrencyAndRouteThrottlesAgree(t *testing.T) {
	tmpl, fns := mustDefault(t)
	throttles, unknown, err := tmpl.RouteThrottles("HttpApi")
	if err != nil {
		t.Fatal(err)
	}
	if len(unknown) > 0 {
		t.Errorf("RouteSettings name routes no function serves: %v", unknown)
	}
	reserved := 0
	byID := map[string]Function{}
	for _, fn := range fns {
		reserved += fn.ReservedConcurrency
		byID[fn.LogicalID] = fn
	}
	if free := accountConcurrency - reserved; free < unreservedMinimum {
		t.Errorf("functions reserve %d of the account's %d; Lambda refuses to leave fewer than %d unreserved", reserved, accountConcurrency, unreservedMinimum)
	}
	wechat := byID["WeChatFunction"]
	if wechat.ReservedConcurrency == 0 {
		t.Fatal("WeChatFunction has no reserved concurrency: a sale could starve the chat")
	}
	if wechat.Timeout > wechatTimeoutSeconds {
		t.Errorf("WeChatFunction times out after %d s; WeChat gives up after %d", wechat.Timeout, wechatTimeoutSeconds)
	}
	post := throttles["POST /wechat"]
	if post.Burst == 0 || post.Burst > wechat.ReservedConcurrency {
		t.Errorf("POST /wechat burst %d; want it set and within the callback's reserved %d, so WeChat is answered by the function, not throttled past it", post.Burst, wechat.ReservedConcurrency)
	}
	// A function with a ceiling is refused by API Gateway (429, cheap, before any
	// invocation) before Lambda throttles it (an opaque 500): no route of it may burst
	// beyond the ceiling.
	for _, fn := range fns {
		if fn.ReservedConcurrency == 0 {
			continue
		}
		for _, rt := range fn.Routes {
			if th := throttles[rt.Pattern()]; th.Burst > fn.ReservedConcurrency {
				t.Errorf("%s: burst %d is above %s's reserved concurrency %d", rt.Pattern(), th.Burst, fn.LogicalID, fn.ReservedConcurrency)
			}
		}
	}
	for _, hot := range []string{"POST /api/v1/slots/{id}/bookings", "POST /h5/slots/{id}/bookings"} {
		if _, ok := throttles[hot]; !ok {
			t.Errorf("no route %s: the booking routes moved; update the template's RouteSettings", hot)
		}
	}
}

func TestRouteThrottlesFallBackToTheDefault(t *testing.T) {
	tmpl := mustParse(t, `
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefaultRouteSettings: {ThrottlingBurstLimit: 5, ThrottlingRateLimit: 10}
      RouteSettings:
        "POST /a": {ThrottlingBurstLimit: 1, ThrottlingRateLimit: 2}
        "GET /missing": {ThrottlingBurstLimit: 1, ThrottlingRateLimit: 2}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/fn/
      ReservedConcurrentExecutions: 7
      Events:
        A: {Type: HttpApi, Properties: {Path: /a, Method: POST}}
        B: {Type: HttpApi, Properties: {Path: /b, Method: GET}}
`)
	th, unknown, err := tmpl.RouteThrottles("Api")
	if err != nil {
		t.Fatal(err)
	}
	if th["POST /a"] != (Throttle{Burst: 1, Rate: 2}) || th["GET /b"] != (Throttle{Burst: 5, Rate: 10}) {
		t.Errorf("throttles = %v; want POST /a its own, GET /b the default", th)
	}
	if len(unknown) != 1 || unknown[0] != "GET /missing" {
		t.Errorf("unknown = %v; want [GET /missing]", unknown)
	}
	fn, err := tmpl.Function("Fn")
	if err != nil || fn.ReservedConcurrency != 7 {
		t.Errorf("Function(Fn) = %+v, %v; want ReservedConcurrency 7", fn, err)
	}
}
