package volunteer

import (
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/fault"
)

// Shift is a stretch of service at a venue with a number of places. Its QR code carries
// the scene "shift:<id>".
type Shift struct {
	ID           string    `json:"id"`
	Title        string    `json:"title"`
	VenueID      string    `json:"venueId"`
	DistrictID   string    `json:"districtId"`
	DistrictPath string    `json:"-"`
	StartsAt     time.Time `json:"startsAt"`
	EndsAt       time.Time `json:"endsAt"`
	Capacity     int       `json:"capacity"`
	SignedUp     int       `json:"signedUp"`
	// Category, when set, admits only volunteers of that category.
	Category Category `json:"category,omitempty"`
	// GeofenceMeters, when positive, requires a check-in scan to come with a fresh last
	// location within that distance of the venue.
	GeofenceMeters int                `json:"geofenceMeters,omitempty"`
	VenueLocation  directory.Location `json:"-"`
	Scene          string             `json:"scene"`
	QRURL          string             `json:"qrUrl"`
	// QRText is what the code encodes (WeChat's URL for it): a poster draws it, and
	// WeChat's scanner turns it back into the scene.
	QRText    string    `json:"qrText,omitempty" dynamodbav:",omitempty"`
	CreatedBy string    `json:"-"`
	CreatedAt time.Time `json:"createdAt"`
}

// Length is how long the shift lasts.
func (s Shift) Length() time.Duration { return s.EndsAt.Sub(s.StartsAt) }

// ShiftScene is the scene of a shift's parametric QR code.
func ShiftScene(id string) string { return SceneShift + id }

// The scene prefixes a check-in scan may carry.
const (
	SceneShift = "shift:"
	SceneVenue = "venue:"
)

// Errors of shifts and sign-ups.
var (
	ErrShiftInvalid    = fault.New(fault.Invalid, "shift_invalid", "班次信息无效：请填写标题、场馆、开始结束时间（不超过 24 小时）和名额")
	ErrShiftNotFound   = fault.New(fault.NotFound, "shift_not_found", "找不到该志愿服务班次")
	ErrShiftFull       = fault.New(fault.Conflict, "shift_full", "该班次名额已满")
	ErrAlreadySignedUp = fault.New(fault.Conflict, "already_signed_up", "您已报名该班次")
	ErrNotSignedUp     = fault.New(fault.Conflict, "not_signed_up", "您没有报名该班次")
	ErrSignupClosed    = fault.New(fault.Conflict, "signup_closed", "该班次已开始，不能再报名")
	ErrWithdrawClosed  = fault.New(fault.Conflict, "withdraw_closed", "已过退出报名的截止时间")
	ErrAlreadyServed   = fault.New(fault.Conflict, "already_checked_in", "已签到的班次不能退出")
	ErrNotActive       = fault.New(fault.Forbidden, "volunteer_not_active", "只有在册（已审核通过）的志愿者可以报名")
	ErrCategoryMissing = fault.New(fault.Forbidden, "category_required", "该班次仅限特定类别的志愿者报名")
	ErrQRUnavailable   = fault.New(fault.Unavailable, "qrcode_unavailable", "生成二维码失败，请稍后再试")
)

// validate checks what staff entered.
func (s *Shift) validate() error {
	s.Title = strings.TrimSpace(s.Title)
	switch n := utf8.RuneCountInString(s.Title); {
	case n == 0 || n > 100, s.VenueID == "", s.Capacity <= 0 || s.Capacity > 1000:
		return ErrShiftInvalid
	case s.StartsAt.IsZero() || !s.EndsAt.After(s.StartsAt) || s.Length() > 24*time.Hour:
		return ErrShiftInvalid
	case s.Category != "" && !s.Category.Valid(), s.GeofenceMeters < 0 || s.GeofenceMeters > 10000:
		return ErrShiftInvalid
	}
	return nil
}

// Signup is a volunteer's place on a shift, and their attendance.
type Signup struct {
	ShiftID       string    `json:"shiftId"`
	VolunteerID   string    `json:"-"`
	Status        string    `json:"status"` // SignedUp or Withdrawn
	SignedUpAt    time.Time `json:"signedUpAt"`
	CheckedInAt   time.Time `json:"checkedInAt,omitzero"`
	CheckedOutAt  time.Time `json:"checkedOutAt,omitzero"`
	CreditMinutes int       `json:"-"`
	// Shift details copied at sign-up, so a volunteer's list needs no second read.
	Title    string    `json:"title"`
	VenueID  string    `json:"venueId"`
	StartsAt time.Time `json:"startsAt"`
	EndsAt   time.Time `json:"endsAt"`
}

// The statuses of a sign-up.
const (
	SignedUp  = "signed_up"
	Withdrawn = "withdrawn"
)

// SignupTexts is the one Chinese word for each sign-up status (docs/glossary.md).
var SignupTexts = map[string]string{SignedUp: "已报名", Withdrawn: "已退出"}

// Rules are the attendance rules; the zero value of a field means its default.
type Rules struct {
	EarlyCheckIn   time.Duration // how early before the start a scan checks in (15 min)
	LateCheckOut   time.Duration // how long after the end a scan still checks out (30 min)
	MinGap         time.Duration // a second scan sooner than this after check-in is ignored (2 min)
	MinServed      float64       // the share of the shift that earns credit (0.6)
	WithdrawCutoff time.Duration // withdrawing closes this long before the start (2 h)
	LocationMaxAge time.Duration // how old a last location may be for a geofence (15 min)
	HonourPerEntry time.Duration // the most honour time one entry may add (8 h)
	HonourPerYear  time.Duration // the most honour time a volunteer may get in a year (40 h)
	ReconfirmAfter time.Duration // how long a confirmation or a service lasts (365 days)
	RemindEvery    time.Duration // how often an inactive volunteer is reminded (30 days)
}

func (r Rules) withDefaults() Rules {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&r.EarlyCheckIn, 15*time.Minute)
	def(&r.LateCheckOut, 30*time.Minute)
	def(&r.MinGap, 2*time.Minute)
	def(&r.WithdrawCutoff, 2*time.Hour)
	def(&r.LocationMaxAge, 15*time.Minute)
	def(&r.HonourPerEntry, 8*time.Hour)
	def(&r.HonourPerYear, 40*time.Hour)
	def(&r.ReconfirmAfter, 365*24*time.Hour)
	def(&r.RemindEvery, 30*24*time.Hour)
	if r.MinServed == 0 {
		r.MinServed = 0.6
	}
	return r
}

// Credit returns the minutes a check-in at in and a check-out at out earn on s: the time
// served inside the shift's window, whole minutes, when it is at least minServed of the
// shift's length; otherwise 0. It never exceeds the shift's length.
func Credit(s Shift, in, out time.Time, minServed float64) int {
	from, to := in, out
	if from.Before(s.StartsAt) {
		from = s.StartsAt
	}
	if to.After(s.EndsAt) {
		to = s.EndsAt
	}
	served := to.Sub(from)
	if served <= 0 || served.Seconds() < minServed*s.Length().Seconds() {
		return 0
	}
	return int(served / time.Minute)
}

// Fix is a location a person reported, and when.
type Fix struct {
	Location directory.Location
	At       time.Time
}

// distance is the great-circle distance in metres between two points (haversine).
func distance(a, b directory.Location) float64 {
	const earth = 6371008.8
	rad := math.Pi / 180
	dLat := (b.Lat - a.Lat) * rad
	dLng := (b.Lng - a.Lng) * rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * earth * math.Asin(math.Sqrt(h))
}

// Entry is one line of the append-only hours ledger. Credit entries come only from
// scans; honour entries are back-filled by staff; corrections compensate an earlier
// entry. Minutes may be negative for corrections; entries are never edited.
type Entry struct {
	ID          string    `json:"id"`
	VolunteerID string    `json:"-"`
	Kind        string    `json:"kind"`
	Minutes     int       `json:"minutes"`
	ShiftID     string    `json:"shiftId,omitempty"`
	Reason      string    `json:"reason,omitempty" input:"long"`
	By          string    `json:"by,omitempty"` // "scan", "scheduler", or a staff openid
	At          time.Time `json:"at"`
}

// The kinds of ledger entry.
const (
	EntryCredit     = "credit"     // 服务时长（扫码）
	EntryHonour     = "honour"     // 荣誉时长（补录）
	EntryCorrection = "correction" // 更正（抵销）
)

// Errors of the ledger.
var (
	ErrHoursInvalid  = fault.New(fault.Invalid, "hours_invalid", "时长无效：请填写不为零的时长、类型（荣誉时长或更正）和原因")
	ErrHonourCapped  = fault.New(fault.Conflict, "honour_cap_reached", "超过荣誉时长的补录上限")
	ErrCreditNegated = fault.New(fault.Conflict, "credit_below_zero", "更正后的服务时长不能为负")
)

// Hours turns minutes into hours with two decimals, as responses show them.
func Hours(minutes int) float64 { return math.Round(float64(minutes)/60*100) / 100 }
