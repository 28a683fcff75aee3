package volunteer

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/privacy"
)

// withCheck completes 17 digits with their GB 11643 check character.
func withCheck(first17 string) string {
	return first17 + string(privacy.IDCheckChar(first17))
}

func TestValidIDNumber(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{"11010519491231002X", true},  // the standard's own example
		{"11010519491231002x", false}, // normalize upper-cases before; the check itself is strict
		{withCheck("43020219900307123"), true},
		{"110105194912310021", false}, // wrong check character
		{"43020219901307123" + "5", false},
		{withCheck("43020218991231123"), false}, // born before 1900
		{withCheck("43020219900230123"), false}, // 30 February
		{"4302021990030712", false},
		{"43020219900307123XX", false},
		{"4302021990030712A" + "1", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := ValidIDNumber(tt.id); got != tt.want {
			t.Errorf("ValidIDNumber(%q) = %v, want %v", tt.id, got, tt.want)
		}
	}
}

func TestHashAndMaskIDNumber(t *testing.T) {
	id := withCheck("43020219900307123")
	k1, k2 := []byte("0123456789abcdef0123456789abcdef"), []byte("fedcba9876543210fedcba9876543210")
	if HashIDNumber(k1, id) != HashIDNumber(k1, " "+id+" ") {
		t.Error("HashIDNumber depends on surrounding space")
	}
	if HashIDNumber(k1, id) == HashIDNumber(k2, id) {
		t.Error("HashIDNumber is the same under two keys: it is not keyed")
	}
	if a, b := IDKeyID(k1), IDKeyID(k2); len(a) != 8 || a == b || a != IDKeyID(k1) || strings.Contains(string(k1), a) {
		t.Errorf("IDKeyID = %q, %q: want 8 hex digits, stable per key, different between keys", a, b)
	}
	if got, want := MaskIDNumber(id), "43"+"**************"+id[16:]; got != want {
		t.Errorf("MaskIDNumber(%q) = %q, want %q", id, got, want)
	}
}

func TestApplicationValidation(t *testing.T) {
	good := func() Application {
		return Application{Name: " 张三 ", Phone: "13800138000", IDNumber: withCheck("43020219900307123"),
			DistrictID: "430202", Category: CategoryCulture, Skills: []string{"摄影"}}
	}
	tests := []struct {
		name   string
		change func(*Application)
		want   error
	}{
		{"ok", func(*Application) {}, nil},
		{"lower-case x accepted", func(a *Application) { a.IDNumber = "11010519491231002x" }, nil},
		{"short name", func(a *Application) { a.Name = "张" }, ErrNameInvalid},
		{"bad phone", func(a *Application) { a.Phone = "1380013800" }, ErrPhoneInvalid},
		{"bad id", func(a *Application) { a.IDNumber = "110105194912310021" }, ErrIDNumberInvalid},
		{"bad category", func(a *Application) { a.Category = "chef" }, ErrCategoryInvalid},
		{"empty skill", func(a *Application) { a.Skills = []string{" "} }, ErrProfileInvalid},
	}
	for _, tt := range tests {
		a := good()
		tt.change(&a)
		if err := a.normalize(); !errors.Is(err, tt.want) && !(err == nil && tt.want == nil) {
			t.Errorf("%s: normalize() = %v, want %v", tt.name, err, tt.want)
		}
	}
}

// Every action from every status: only the lifecycle's arrows are allowed.
func TestNext(t *testing.T) {
	allowed := map[Status]map[Action]Status{
		StatusPending:   {ActionApprove: StatusActive, ActionReject: StatusRejected},
		StatusActive:    {ActionSuspend: StatusSuspended, ActionRetire: StatusRetired},
		StatusSuspended: {ActionRetire: StatusRetired, ActionReinstate: StatusActive},
		StatusRetired:   {ActionReinstate: StatusActive},
		StatusRejected:  {},
	}
	for from, ok := range allowed {
		for _, a := range Actions {
			got, err := Next(from, a)
			want, allowed := ok[a]
			switch {
			case allowed && (err != nil || got != want):
				t.Errorf("Next(%s, %s) = %q, %v; want %q", from, a, got, err, want)
			case !allowed && !errors.Is(err, ErrTransition):
				t.Errorf("Next(%s, %s) = %q, %v; want ErrTransition", from, a, got, err)
			}
		}
	}
	if _, err := Next(StatusPending, "promote"); !errors.Is(err, ErrActionUnknown) {
		t.Errorf("Next(pending, promote) = %v, want ErrActionUnknown", err)
	}
}

func TestCredit(t *testing.T) {
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	sh := Shift{StartsAt: start, EndsAt: start.Add(4 * time.Hour)} // 240 minutes; 60 % is 144
	at := func(m int) time.Time { return start.Add(time.Duration(m) * time.Minute) }
	tests := []struct {
		name    string
		in, out time.Time
		want    int
	}{
		{"whole shift", at(0), at(240), 240},
		{"early arrival is not credited", at(-15), at(240), 240},
		{"late leaving is capped at the end", at(0), at(300), 240},
		{"exactly 60 %", at(0), at(144), 144},
		{"just under 60 %", at(0), at(143), 0},
		{"late arrival, enough", at(90), at(240), 150},
		{"late arrival, not enough", at(100), at(240), 0},
		{"out before in", at(100), at(50), 0},
		{"seconds are not rounded up", at(0), at(200).Add(59 * time.Second), 200},
	}
	for _, tt := range tests {
		if got := Credit(sh, tt.in, tt.out, 0.6); got != tt.want {
			t.Errorf("%s: Credit(in %v, out %v) = %d, want %d", tt.name, tt.in.Sub(start), tt.out.Sub(start), got, tt.want)
		}
	}
	if got := Credit(sh, at(0), at(130), 0.5); got != 130 {
		t.Errorf("Credit with a 50 %% rule, 130 of 240 minutes = %d, want 130", got)
	}
}

func TestDistance(t *testing.T) {
	library := directory.Location{Lat: 27.8290, Lng: 113.0830}
	tests := []struct {
		to       directory.Location
		min, max float64
	}{
		{library, 0, 0.001},
		{directory.Location{Lat: 27.8299, Lng: 113.0830}, 95, 105},    // 0.0009° north ≈ 100 m
		{directory.Location{Lat: 27.8522, Lng: 113.1497}, 6900, 7200}, // to the city culture centre
	}
	for _, tt := range tests {
		if d := distance(library, tt.to); d < tt.min || d > tt.max {
			t.Errorf("distance(%v, %v) = %.1f m, want between %.0f and %.0f", library, tt.to, d, tt.min, tt.max)
		}
	}
}

func TestInScope(t *testing.T) {
	tests := []struct {
		path, scope string
		want        bool
	}{
		{"430200/430223", "430200/430223", true},
		{"430200/430223/430223001", "430200/430223", true},
		{"430200/430202/430202001", "430200/430223", false},
		{"430200/4302230", "430200/430223", false}, // a sibling whose id starts the same
		{"430200/430223", "430200", true},
	}
	for _, tt := range tests {
		if got := inScope(tt.path, tt.scope); got != tt.want {
			t.Errorf("inScope(%q, %q) = %v, want %v", tt.path, tt.scope, got, tt.want)
		}
	}
}

// Whatever a client sends, validation neither panics nor lets an invalid ID number,
// phone or category through.
func FuzzApplicationNormalize(f *testing.F) {
	f.Add("张三", "13800138000", "11010519491231002X", "culture", "摄影")
	f.Add("", "", "", "", "")
	f.Add("李四", "1380013800", "11010519491231002x", "sports_instructor", " ")
	f.Add("王\x00五", "19912345678", "110105194902310021", "chef", "\xff")
	f.Fuzz(func(t *testing.T, name, phone, id, category, skill string) {
		a := Application{Name: name, Phone: phone, IDNumber: id, Category: Category(category), Skills: []string{skill}}
		if err := a.normalize(); err != nil {
			return
		}
		if !ValidIDNumber(a.IDNumber) || !phonePattern.MatchString(a.Phone) || !a.Category.Valid() {
			t.Errorf("normalize accepted %+v", a)
		}
		if masked := MaskIDNumber(a.IDNumber); masked[2:16] != "**************" {
			t.Errorf("MaskIDNumber(%q) = %q, shows the middle", a.IDNumber, masked)
		}
	})
}
