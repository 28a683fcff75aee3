package callback

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Button is a button of the official account's custom menu, as WeChat's menu API
// (/cgi-bin/menu/create) takes it.
type Button struct {
	Type string   `json:"type,omitempty"` // click, view, scancode_push, scancode_waitmsg, location_select
	Name string   `json:"name"`
	Key  string   `json:"key,omitempty"` // click and scancode buttons: the event's EventKey
	URL  string   `json:"url,omitempty"` // view buttons
	Sub  []Button `json:"sub_button,omitempty"`
}

// Menu is the account's menu: what residents, volunteers and staff see under the
// chat. CLICK keys are the chat's (KeyEvents, …); links go to the H5 pages.
func Menu(links Links) []Button {
	return []Button{
		{Name: "文化活动", Sub: []Button{
			{Type: "click", Name: "近期活动", Key: KeyEvents},
			{Type: "click", Name: "电影放映", Key: KeyFilms},
			{Type: "click", Name: "健身课程", Key: KeyFitness},
			{Type: "click", Name: "阅读空间", Key: KeyReading},
			{Type: "view", Name: "在线预约", URL: links.path("/activities")},
		}},
		{Name: "志愿服务", Sub: []Button{
			{Type: "view", Name: "志愿者报名", URL: links.Volunteer()},
			{Type: "click", Name: "我的志愿", Key: KeyVolunteer},
			{Type: "scancode_push", Name: "扫码签到", Key: KeyVolunteerScan},
			{Type: "view", Name: "文化地图", URL: links.path("/map")},
		}},
		{Name: "我的", Sub: []Button{
			{Type: "click", Name: "我的预约", Key: KeyMyBookings},
			{Type: "click", Name: "附近场馆", Key: KeyNearby},
			{Type: "view", Name: "意见反馈", URL: links.Feedback()},
			{Type: "scancode_waitmsg", Name: "工作人员检票", Key: KeyCheckin},
			{Type: "click", Name: "使用帮助", Key: KeyHelp},
		}},
	}
}

// KeyVolunteerScan is the volunteers' scan button: WeChat itself opens the scanned
// shift code, which arrives as a SCAN event with the shift's scene.
const KeyVolunteerScan = "volunteer_scan"

// MenuJSON is the body of WeChat's menu API for the menu, after checking WeChat's
// limits: at most 3 buttons of at most 5 entries, names of at most 16 (top) or 60
// (entries) bytes, keys of at most 128 bytes, links of at most 1024 bytes.
func MenuJSON(buttons []Button) ([]byte, error) {
	if len(buttons) == 0 || len(buttons) > 3 {
		return nil, fmt.Errorf("menu: %d buttons, want 1 to 3", len(buttons))
	}
	for _, b := range buttons {
		if err := checkButton(b, 16); err != nil {
			return nil, err
		}
		if len(b.Sub) > 5 {
			return nil, fmt.Errorf("menu: %s has %d entries, want at most 5", b.Name, len(b.Sub))
		}
		for _, s := range b.Sub {
			if len(s.Sub) > 0 {
				return nil, fmt.Errorf("menu: %s/%s: entries cannot have entries", b.Name, s.Name)
			}
			if err := checkButton(s, 60); err != nil {
				return nil, err
			}
		}
	}
	return json.Marshal(struct {
		Button []Button `json:"button"`
	}{buttons})
}

func checkButton(b Button, maxName int) error {
	switch {
	case b.Name == "" || len(b.Name) > maxName || !utf8.ValidString(b.Name):
		return fmt.Errorf("menu: name %q must be 1 to %d bytes", b.Name, maxName)
	case len(b.Sub) > 0 && b.Type != "":
		return fmt.Errorf("menu: %s has entries and a type", b.Name)
	case len(b.Sub) > 0:
		return nil
	case b.Type == "view" && (b.URL == "" || len(b.URL) > 1024):
		return fmt.Errorf("menu: %s: a view button needs a link of at most 1024 bytes", b.Name)
	case b.Type == "click" || b.Type == "scancode_push" || b.Type == "scancode_waitmsg" || b.Type == "location_select":
		if b.Key == "" || len(b.Key) > 128 {
			return fmt.Errorf("menu: %s: a %s button needs a key of at most 128 bytes", b.Name, b.Type)
		}
		return nil
	case b.Type == "view":
		return nil
	}
	return fmt.Errorf("menu: %s: unknown type %q", b.Name, b.Type)
}
