package volunteer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/notify"
	"github.com/wentitong/wentitong/shared/privacy"
)

// Store keeps volunteers, shifts, sign-ups, scans and the ledger. Every method that
// changes more than one item does it in one transaction.
type Store interface {
	// Apply writes a new volunteer with the guards that allow one application per openid
	// and per ID number, and the notices, in one transaction. It returns
	// ErrAlreadyApplied or ErrIDNumberTaken when a guard exists.
	Apply(ctx context.Context, v Volunteer, notices []Notice) error
	// Volunteer returns one volunteer, or ErrNotFound.
	Volunteer(ctx context.Context, id string) (Volunteer, error)
	// VolunteerOf returns the volunteer an openid registered as, or ErrNotApplied.
	VolunteerOf(ctx context.Context, openid string) (Volunteer, error)
	// Transition moves v from ch.From to ch.To, appends ch to its history and writes the
	// notices, in one transaction; ErrTransition when v's status is no longer ch.From.
	Transition(ctx context.Context, v Volunteer, ch Change, notices []Notice) error
	// History returns a volunteer's status changes, oldest first.
	History(ctx context.Context, id string) ([]Change, error)
	// Volunteers returns the volunteers with a status in the district subtree whose path
	// is path ("" for the whole city).
	Volunteers(ctx context.Context, status Status, path string) ([]Volunteer, error)

	// PutShift writes a new shift.
	PutShift(ctx context.Context, s Shift) error
	// Shift returns one shift, or ErrShiftNotFound.
	Shift(ctx context.Context, id string) (Shift, error)
	// Shifts returns the shifts starting at or after from, soonest first.
	Shifts(ctx context.Context, from time.Time) ([]Shift, error)
	// ShiftsAtVenue returns a venue's shifts starting between from and to.
	ShiftsAtVenue(ctx context.Context, venueID string, from, to time.Time) ([]Shift, error)
	// SignUp writes the sign-up and counts it on the shift in one transaction:
	// ErrShiftFull when no place is left, ErrAlreadySignedUp when it exists.
	SignUp(ctx context.Context, s Shift, sg Signup) error
	// Withdraw marks the sign-up withdrawn and gives the place back: ErrNotSignedUp when
	// there is none, ErrAlreadyServed when the volunteer has checked in.
	Withdraw(ctx context.Context, s Shift, volunteerID string, at time.Time) error
	// Signup returns a volunteer's sign-up for a shift; ok is false when there is none.
	Signup(ctx context.Context, shiftID, volunteerID string) (sg Signup, ok bool, err error)
	// Signups returns a volunteer's sign-ups, by shift start.
	Signups(ctx context.Context, volunteerID string) ([]Signup, error)
	// Roster returns a shift's sign-ups, withdrawn ones included.
	Roster(ctx context.Context, shiftID string) ([]Signup, error)

	// ScanReply returns the reply recorded for a scan that changed something; ok is
	// false when that scan has not been seen.
	ScanReply(ctx context.Context, k ScanKey) (reply string, ok bool, err error)
	// CheckIn records the scan (with its reply) and the check-in at k.At in one
	// transaction. It returns ErrDuplicateScan when the scan was recorded already, and
	// ErrStale when the sign-up has been checked in meanwhile.
	CheckIn(ctx context.Context, k ScanKey, reply string, sg Signup) error
	// CheckOut records the scan (k may be nil: the scheduler's closing), the check-out at
	// out and, when credit is not nil, the credit entry and its total, with the
	// volunteer's registration renewed until renew and their inactive flag cleared, in
	// one transaction. ErrDuplicateScan and ErrStale as for CheckIn.
	CheckOut(ctx context.Context, k *ScanKey, reply string, sg Signup, out time.Time, credit *Entry, renew time.Time) error
	// OpenCheckIns returns the sign-ups checked in but not out whose shift ended at or
	// before endedBy.
	OpenCheckIns(ctx context.Context, endedBy time.Time) ([]Signup, error)

	// AddEntry appends a staff entry (honour or correction) and updates its total, in one
	// transaction: ErrHonourCapped when honour time would pass yearCap minutes in the
	// entry's year, ErrCreditNegated when a correction would take credit below zero.
	AddEntry(ctx context.Context, e Entry, yearCap int) error
	// Ledger returns a volunteer's entries, oldest first.
	Ledger(ctx context.Context, volunteerID string) ([]Entry, error)

	// Leaderboard returns the active volunteers of the subtree at path ("" for the city)
	// with their minutes in period ("2026" or "202611"), those with none left out.
	Leaderboard(ctx context.Context, path, period string) ([]Ranked, error)

	// Confirm renews an active volunteer's ReconfirmBy and clears Inactive;
	// ErrNotActive when the volunteer is not active.
	Confirm(ctx context.Context, id string, by time.Time) error
	// DueForReview returns the volunteers whose next review is at or before now.
	DueForReview(ctx context.Context, now time.Time) ([]Volunteer, error)
	// Review flags v inactive (when flag), sets its next review, and writes the notice
	// (when not nil, due at now), in one transaction; ErrStale when v changed meanwhile.
	Review(ctx context.Context, v Volunteer, flag bool, now, next time.Time, notice *Notice) error
}

// People is what the volunteer domain reads about people.
type People interface {
	// Scope returns the id of the district a staff member or coordinator looks after,
	// or "" when they have none.
	Scope(ctx context.Context, openid string) (string, error)
	// Coordinators returns the openids of the coordinators of exactly the district at
	// path.
	Coordinators(ctx context.Context, path string) ([]string, error)
	// LastLocation returns the last location WeChat reported for the person (a LOCATION
	// event; never a location message, which is a point picked on a map); ok is false
	// when there is none.
	LastLocation(ctx context.Context, openid string) (fix Fix, ok bool, err error)
	// Appoint grants openid a role (coordinator or staff) with a district as scope.
	Appoint(ctx context.Context, openid, role string, d directory.District, at time.Time) error
	// Dismiss takes the coordinator and staff roles and the district from openid, and
	// ends their sessions. It returns ErrNotAppointed when they had none.
	Dismiss(ctx context.Context, openid string, at time.Time) error
}

// Directory reads districts and venues.
type Directory interface {
	// District returns one district, or directory.ErrDistrictUnknown.
	District(ctx context.Context, id string) (directory.District, error)
	// Venue returns one venue, or directory.ErrVenueNotFound.
	Venue(ctx context.Context, id string) (directory.Venue, error)
}

// QRCodes makes parametric QR codes.
type QRCodes interface {
	// Create makes a QR code carrying scene, valid for ttl, and returns the URL of its
	// image and the text it encodes (WeChat's URL for it, which a poster draws). Errors
	// are unavailable errors.
	Create(ctx context.Context, scene string, ttl time.Duration) (image, text string, err error)
}

// Notice is a notification to write to the outbox with the change that causes it.
type Notice struct {
	ID        string // unique per cause and recipient, so a retried change notifies once
	Kind      string
	Recipient string // openid
	Payload   map[string]any
}

// The outbox kinds this domain writes.
const (
	NoticeApplied       = "volunteer_applied"        // to the district's coordinators
	NoticeStatusChanged = "volunteer_status_changed" // to the volunteer
	NoticeReconfirm     = "volunteer_reconfirm"      // to the volunteer: please confirm
	NoticeShiftReminder = "shift_reminder"           // to a signed-up volunteer, ShiftReminderLead before
)

// Message is the notice as the outbox keeps it, created at now: the payload's values as
// text, statuses and deadlines as people read them.
func (n Notice) Message(now time.Time) notify.Message {
	data := make(map[string]string, len(n.Payload)+2)
	for k, v := range n.Payload {
		data[k] = fmt.Sprint(v)
	}
	if st, ok := StatusTexts[Status(data["status"])]; ok {
		data["statusText"] = st
	}
	if by, err := time.Parse(time.RFC3339, data["reconfirmBy"]); err == nil {
		data["reconfirmByText"] = beijing.Day(by)
	}
	return notify.Message{ID: n.ID, Kind: n.Kind, To: n.Recipient, Data: data, CreatedAt: now}
}

// ShiftReminderLead is how long before a shift its signed-up volunteers are reminded.
const ShiftReminderLead = 2 * time.Hour

// ShiftReminder is the reminder of sh to the signed-up volunteer whose openid is to, at
// the venue named venue: once per shift and volunteer.
func ShiftReminder(sh Shift, volunteerID, to, venue string) Notice {
	return Notice{
		ID: "shift." + sh.ID + "." + volunteerID + ".reminder", Kind: NoticeShiftReminder, Recipient: to,
		Payload: map[string]any{"activity": sh.Title, "venue": venue, "time": beijing.Minute(sh.StartsAt), "shiftId": sh.ID},
	}
}

// ScanKey names one scan event: a volunteer scanning a shift's code at a time (the
// event's CreateTime, whole seconds). WeChat's repeated deliveries carry the same key.
type ScanKey struct {
	ShiftID, VolunteerID string
	At                   time.Time
}

// Errors of scans and the store.
var (
	ErrDuplicateScan  = fault.New(fault.Conflict, "scan_duplicate", "该扫码已处理")
	ErrStale          = fault.New(fault.Conflict, "state_changed", "状态已变化，请重试")
	ErrSceneUnknown   = fault.New(fault.NotFound, "scene_unknown", "无法识别该二维码")
	ErrNoCurrentShift = fault.New(fault.NotFound, "no_current_shift", "该场馆当前没有您报名的班次")
	ErrDistrict       = directory.ErrNamedDistrictUnknown
	ErrVenue          = fault.New(fault.Invalid, "venue_not_found", "找不到该场馆")
)

// Service is the volunteer domain.
type Service struct {
	Store     Store
	People    People
	Directory Directory
	Guard     access.Guard // the caller's district, for listings in it
	QR        QRCodes
	IDKey     []byte // key of the ID number hash (ID_HASH_KEY), at least 32 bytes
	Rules     Rules
	Now       func() time.Time
	NewID     func() string
	Log       *slog.Logger
}

func (s *Service) rules() Rules { return s.Rules.withDefaults() }

// Apply registers openid as a pending volunteer and notifies the coordinators of the
// nearest district (the volunteer's own, else its parent, and so on up) that has any.
// It returns the application's validation error, ErrDistrict, ErrAlreadyApplied or
// ErrIDNumberTaken.
func (s *Service) Apply(ctx context.Context, openid string, a Application) (Volunteer, error) {
	if len(s.IDKey) < 32 {
		return Volunteer{}, errors.New("apply: no ID number hash key: the function registers no volunteers")
	}
	if err := a.normalize(); err != nil {
		return Volunteer{}, err
	}
	dist, err := directory.NamedDistrict(ctx, s.Directory, a.DistrictID)
	if err != nil {
		return Volunteer{}, fmt.Errorf("apply: %w", err)
	}
	now := s.Now()
	v := Volunteer{
		ID: s.NewID(), OpenID: openid, Name: a.Name, Phone: a.Phone,
		IDNumberHash: HashIDNumber(s.IDKey, a.IDNumber), IDNumberKeyID: IDKeyID(s.IDKey), IDNumberMasked: MaskIDNumber(a.IDNumber),
		DistrictID: dist.ID, DistrictPath: dist.Path, Category: a.Category, Skills: a.Skills, Team: a.Team,
		Status: StatusPending, AppliedAt: now, UpdatedAt: now, ReconfirmBy: now.Add(s.rules().ReconfirmAfter).UTC(),
	}
	coordinators, err := s.coordinatorsOf(ctx, dist)
	if err != nil {
		return Volunteer{}, fmt.Errorf("apply: %w", err)
	}
	var notices []Notice
	for _, c := range coordinators {
		// Without the applicant's name: the message is kept 90 days under an id no
		// erasure of the applicant finds, and the console names them to whoever reviews.
		notices = append(notices, Notice{
			ID: v.ID + ".applied." + c, Kind: NoticeApplied, Recipient: c,
			Payload: map[string]any{"volunteerId": v.ID, "districtId": dist.ID,
				"districtName": dist.Name, "category": string(v.Category), "appliedAt": now.UTC().Format(time.RFC3339)},
		})
	}
	if len(notices) == 0 {
		s.Log.Warn("volunteer application has no coordinator to notify", "volunteerId", v.ID, "districtId", dist.ID)
	}
	if err := s.Store.Apply(ctx, v, notices); err != nil {
		return Volunteer{}, fmt.Errorf("apply: %w", err)
	}
	return v, nil
}

// coordinatorsOf returns the coordinators of the nearest district, from d up to the
// city, that has any.
func (s *Service) coordinatorsOf(ctx context.Context, d directory.District) ([]string, error) {
	ids := strings.Split(d.Path, "/")
	for i := len(ids) - 1; i >= 0; i-- {
		cs, err := s.People.Coordinators(ctx, strings.Join(ids[:i+1], "/"))
		if err != nil {
			return nil, err
		}
		if len(cs) > 0 {
			return cs, nil
		}
	}
	return nil, nil
}

// Decide applies a staff action to a volunteer: approval, rejection, suspension,
// retirement or reinstatement (the route lets in admins and the coordinators whose
// district contains the volunteer's); every action but approval needs a reason. It
// returns the volunteer as it is now, or ErrNotFound, ErrReasonRequired,
// ErrActionUnknown or ErrTransition.
func (s *Service) Decide(ctx context.Context, c auth.Claims, id string, action Action, reason string) (Volunteer, error) {
	if _, ok := transitions[action]; !ok {
		return Volunteer{}, ErrActionUnknown
	}
	reason = strings.TrimSpace(reason)
	if (needsReason(action) && reason == "") || utf8.RuneCountInString(reason) > 200 {
		return Volunteer{}, ErrReasonRequired
	}
	v, err := s.Store.Volunteer(ctx, id)
	if err != nil {
		return Volunteer{}, err
	}
	to, err := Next(v.Status, action)
	if err != nil {
		return Volunteer{}, err
	}
	now := s.Now()
	ch := Change{ID: s.NewID(), VolunteerID: v.ID, Action: action, From: v.Status, To: to, Reason: reason, By: c.OpenID, At: now}
	notice := Notice{
		ID: v.ID + ".status." + ch.ID, Kind: NoticeStatusChanged, Recipient: v.OpenID,
		Payload: map[string]any{"volunteerId": v.ID, "status": string(to), "reason": reason, "at": now.UTC().Format(time.RFC3339)},
	}
	if to == StatusActive {
		v.ReconfirmBy, v.Inactive = now.Add(s.rules().ReconfirmAfter).UTC(), false
	}
	if err := s.Store.Transition(ctx, v, ch, []Notice{notice}); err != nil {
		return Volunteer{}, fmt.Errorf("%s volunteer %s: %w", action, id, err)
	}
	v.Status, v.StatusReason, v.UpdatedAt = to, reason, now
	s.Log.Info("volunteer status changed", "volunteerId", v.ID, "action", string(action), "by", privacy.OpenID(c.OpenID))
	return v, nil
}

// Volunteers lists the volunteers with a status in a district's subtree: the caller's
// own district when districtID is "" (the whole city for admins; the route checks a
// named district is the caller's). It returns ErrDistrict, access.ErrNoScope.
func (s *Service) Volunteers(ctx context.Context, c auth.Claims, status Status, districtID string) ([]Volunteer, error) {
	if status == "" {
		status = StatusPending
	}
	if !slices.Contains([]Status{StatusPending, StatusActive, StatusSuspended, StatusRetired, StatusRejected}, status) {
		return nil, fault.Invalidf("status_invalid", "未知的状态：%s", status)
	}
	path, _, err := s.Guard.Scope(ctx, c)
	if err != nil {
		return nil, err
	}
	if districtID != "" {
		d, err := directory.NamedDistrict(ctx, s.Directory, districtID)
		if err != nil {
			return nil, err
		}
		path = d.Path
	}
	return s.Store.Volunteers(ctx, status, path)
}

// Detail returns one volunteer, their history and ledger, for staff in scope.
func (s *Service) Detail(ctx context.Context, c auth.Claims, id string) (Profile, error) {
	v, err := s.Store.Volunteer(ctx, id)
	if err != nil {
		return Profile{}, err
	}
	return s.profile(ctx, v)
}

// Profile is a volunteer with everything about their service.
type Profile struct {
	Volunteer
	CreditHours float64      `json:"creditHours"`
	HonourHours float64      `json:"honourHours"`
	TotalHours  float64      `json:"totalHours"`
	Signups     []SignupView `json:"signups"`
	Ledger      []Entry      `json:"ledger"`
	History     []Change     `json:"history"`
}

// SignupView is a sign-up with its credited hours.
type SignupView struct {
	Signup
	CreditHours float64 `json:"creditHours"`
}

// Me returns the signed-in person's volunteer profile, or ErrNotApplied.
func (s *Service) Me(ctx context.Context, openid string) (Profile, error) {
	v, err := s.Store.VolunteerOf(ctx, openid)
	if err != nil {
		return Profile{}, err
	}
	return s.profile(ctx, v)
}

func (s *Service) profile(ctx context.Context, v Volunteer) (Profile, error) {
	p := Profile{Volunteer: v, CreditHours: Hours(v.CreditMinutes), HonourHours: Hours(v.HonourMinutes),
		TotalHours: Hours(v.CreditMinutes + v.HonourMinutes), Signups: []SignupView{}}
	sgs, err := s.Store.Signups(ctx, v.ID)
	if err != nil {
		return Profile{}, err
	}
	for _, sg := range sgs {
		p.Signups = append(p.Signups, SignupView{Signup: sg, CreditHours: Hours(sg.CreditMinutes)})
	}
	if p.Ledger, err = s.Store.Ledger(ctx, v.ID); err != nil {
		return Profile{}, err
	}
	if p.History, err = s.Store.History(ctx, v.ID); err != nil {
		return Profile{}, err
	}
	for i := range p.History {
		p.History[i].By = privacy.OpenID(p.History[i].By)
	}
	for i := range p.Ledger {
		if e := &p.Ledger[i]; e.By != "scan" && e.By != "scheduler" {
			e.By = privacy.OpenID(e.By)
		}
	}
	return p, nil
}

// maxQRTTL is the longest a temporary parametric QR code may live (30 days).
const maxQRTTL = 30 * 24 * time.Hour

// CreateShift creates a shift at a venue in the caller's scope, with its QR code valid
// until a day after the shift ends (at most 30 days, WeChat's limit for temporary
// codes). It returns ErrShiftInvalid, ErrVenue or ErrQRUnavailable.
func (s *Service) CreateShift(ctx context.Context, c auth.Claims, sh Shift) (Shift, error) {
	if err := sh.validate(); err != nil {
		return Shift{}, err
	}
	now := s.Now()
	if !sh.EndsAt.After(now) {
		return Shift{}, ErrShiftInvalid
	}
	v, err := s.Directory.Venue(ctx, sh.VenueID)
	if errors.Is(err, directory.ErrVenueNotFound) {
		return Shift{}, ErrVenue
	}
	if err != nil {
		return Shift{}, fmt.Errorf("create shift: %w", err)
	}
	sh.StartsAt, sh.EndsAt = sh.StartsAt.UTC(), sh.EndsAt.UTC()
	sh.ID = s.NewID()
	sh.DistrictID, sh.DistrictPath, sh.VenueLocation = v.DistrictID, v.DistrictPath, v.Location
	sh.SignedUp, sh.CreatedBy, sh.CreatedAt = 0, c.OpenID, now
	sh.Scene = ShiftScene(sh.ID)
	ttl := min(sh.EndsAt.Sub(now)+24*time.Hour, maxQRTTL)
	if sh.QRURL, sh.QRText, err = s.QR.Create(ctx, sh.Scene, ttl); err != nil {
		return Shift{}, fmt.Errorf("create shift: %w", ErrQRUnavailable.Wrap(err))
	}
	if err := s.Store.PutShift(ctx, sh); err != nil {
		return Shift{}, fmt.Errorf("create shift: %w", err)
	}
	return sh, nil
}

// Shifts returns the shifts that have not ended, soonest first.
func (s *Service) Shifts(ctx context.Context) ([]Shift, error) {
	now := s.Now()
	all, err := s.Store.Shifts(ctx, now.Add(-24*time.Hour))
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(sh Shift) bool { return !sh.EndsAt.After(now) }), nil
}

// SignUp gives an active volunteer a place on a shift that has not started. It returns
// ErrNotApplied, ErrNotActive, ErrShiftNotFound, ErrCategoryMissing, ErrSignupClosed,
// ErrShiftFull or ErrAlreadySignedUp.
func (s *Service) SignUp(ctx context.Context, openid, shiftID string) (Signup, error) {
	v, err := s.Store.VolunteerOf(ctx, openid)
	if err != nil {
		return Signup{}, err
	}
	if v.Status != StatusActive {
		return Signup{}, ErrNotActive
	}
	sh, err := s.Store.Shift(ctx, shiftID)
	if err != nil {
		return Signup{}, err
	}
	if sh.Category != "" && sh.Category != v.Category {
		return Signup{}, ErrCategoryMissing
	}
	now := s.Now()
	if !now.Before(sh.StartsAt) {
		return Signup{}, ErrSignupClosed
	}
	// The consistent read already shows a full shift: refuse without a transaction
	// (the transaction's condition, not this read, guards capacity).
	if sh.SignedUp >= sh.Capacity {
		return Signup{}, ErrShiftFull
	}
	sg := Signup{ShiftID: sh.ID, VolunteerID: v.ID, Status: SignedUp, SignedUpAt: now,
		Title: sh.Title, VenueID: sh.VenueID, StartsAt: sh.StartsAt, EndsAt: sh.EndsAt}
	if err := s.Store.SignUp(ctx, sh, sg); err != nil {
		return Signup{}, fmt.Errorf("sign up for shift %s: %w", shiftID, err)
	}
	return sg, nil
}

// Withdraw gives a place back, up to the cut-off before the start. It returns
// ErrNotApplied, ErrShiftNotFound, ErrWithdrawClosed, ErrNotSignedUp or ErrAlreadyServed.
func (s *Service) Withdraw(ctx context.Context, openid, shiftID string) error {
	v, err := s.Store.VolunteerOf(ctx, openid)
	if err != nil {
		return err
	}
	sh, err := s.Store.Shift(ctx, shiftID)
	if err != nil {
		return err
	}
	now := s.Now()
	if now.After(sh.StartsAt.Add(-s.rules().WithdrawCutoff)) {
		return ErrWithdrawClosed
	}
	if err := s.Store.Withdraw(ctx, sh, v.ID, now); err != nil {
		return fmt.Errorf("withdraw from shift %s: %w", shiftID, err)
	}
	return nil
}

// AddHours appends a staff entry to a volunteer's ledger: honour time back-filled (at
// most Rules.HonourPerEntry at once and Rules.HonourPerYear a year), or a correction of
// credit time (admins only), both with a reason. It returns ErrHoursInvalid,
// ErrReasonRequired, ErrHonourCapped or ErrCreditNegated.
func (s *Service) AddHours(ctx context.Context, c auth.Claims, id, kind string, minutes int, reason string) (Entry, error) {
	r := s.rules()
	reason = strings.TrimSpace(reason)
	switch {
	case minutes == 0, kind != EntryHonour && kind != EntryCorrection:
		return Entry{}, ErrHoursInvalid
	case kind == EntryHonour && (minutes < 0 || time.Duration(minutes)*time.Minute > r.HonourPerEntry):
		return Entry{}, ErrHoursInvalid
	case reason == "" || utf8.RuneCountInString(reason) > 200:
		return Entry{}, ErrReasonRequired
	case kind == EntryCorrection && !c.Has(auth.RoleAdmin):
		return Entry{}, auth.ErrForbidden
	}
	v, err := s.Store.Volunteer(ctx, id)
	if err != nil {
		return Entry{}, err
	}
	e := Entry{ID: s.NewID(), VolunteerID: v.ID, Kind: kind, Minutes: minutes, Reason: reason, By: c.OpenID, At: s.Now()}
	if err := s.Store.AddEntry(ctx, e, int(r.HonourPerYear/time.Minute)); err != nil {
		return Entry{}, fmt.Errorf("add %s hours to %s: %w", kind, id, err)
	}
	s.Log.Info("volunteer hours entry", "volunteerId", v.ID, "kind", kind, "minutes", minutes, "by", privacy.OpenID(c.OpenID))
	return e, nil
}

// Appoint makes a person a coordinator or staff member of a district (admins only):
// coordinators are notified of applications there and decide on the volunteers of its
// subtree; both create shifts and back-fill hours in it, and are counted in its training
// compliance. It returns ErrDistrict for an unknown district.
func (s *Service) Appoint(ctx context.Context, c auth.Claims, openid, role, districtID string) error {
	if openid = strings.TrimSpace(openid); openid == "" || len(openid) > 64 {
		return fault.Invalidf("openid_invalid", "请填写要任命的用户")
	}
	if role == "" {
		role = auth.RoleCoordinator
	}
	if role != auth.RoleCoordinator && role != auth.RoleStaff {
		return fault.Invalidf("role_invalid", "只能任命协调员或工作人员")
	}
	d, err := directory.NamedDistrict(ctx, s.Directory, districtID)
	if err != nil {
		return err
	}
	if err := s.People.Appoint(ctx, openid, role, d, s.Now()); err != nil {
		return fmt.Errorf("appoint: %w", err)
	}
	s.Log.Info("appointed", "openid", privacy.OpenID(openid), "role", role, "districtId", d.ID, "by", privacy.OpenID(c.OpenID))
	return nil
}

// Dismiss ends a person's appointment (admins only): the coordinator and staff roles and
// the district go, and so do their sessions, so that the next request of theirs is
// refused within a minute (auth.StandingTTL). It returns ErrNotAppointed.
func (s *Service) Dismiss(ctx context.Context, c auth.Claims, openid string) error {
	if err := s.People.Dismiss(ctx, openid, s.Now()); err != nil {
		return fmt.Errorf("dismiss: %w", err)
	}
	s.Log.Info("dismissed", "openid", privacy.OpenID(openid), "by", privacy.OpenID(c.OpenID))
	return nil
}

// Confirm is an active volunteer's yearly re-confirmation: it renews their registration
// for Rules.ReconfirmAfter and clears the inactive flag. It returns ErrNotApplied or
// ErrNotActive.
func (s *Service) Confirm(ctx context.Context, openid string) (Volunteer, error) {
	v, err := s.Store.VolunteerOf(ctx, openid)
	if err != nil {
		return Volunteer{}, err
	}
	if v.Status != StatusActive {
		return Volunteer{}, ErrNotActive
	}
	by := s.Now().Add(s.rules().ReconfirmAfter).UTC()
	if err := s.Store.Confirm(ctx, v.ID, by); err != nil {
		return Volunteer{}, fmt.Errorf("confirm volunteer %s: %w", v.ID, err)
	}
	v.ReconfirmBy, v.Inactive = by, false
	return v, nil
}

// ReviewRegistrations is the scheduler's yearly re-confirmation: an active volunteer
// who has neither confirmed nor served since their ReconfirmBy is flagged inactive and
// reminded, then reminded again every Rules.RemindEvery until they confirm or serve.
// Volunteers who are not active are looked at again a period later. It is idempotent:
// each review moves the volunteer's next review into the future under a condition. It
// returns how many it reminded.
func (s *Service) ReviewRegistrations(ctx context.Context, now time.Time) (int, error) {
	due, err := s.Store.DueForReview(ctx, now)
	if err != nil {
		return 0, fmt.Errorf("review registrations: %w", err)
	}
	r := s.rules()
	reminded := 0
	var errs []error
	for _, v := range due {
		if v.Status != StatusActive {
			err = s.Store.Review(ctx, v, false, now, now.Add(r.ReconfirmAfter), nil)
		} else {
			err = s.Store.Review(ctx, v, true, now, now.Add(r.RemindEvery), &Notice{
				ID: v.ID + ".reconfirm." + now.In(beijing.Zone).Format("20060102"), Kind: NoticeReconfirm, Recipient: v.OpenID,
				Payload: map[string]any{"volunteerId": v.ID, "name": v.Name, "reconfirmBy": v.ReconfirmBy.UTC().Format(time.RFC3339)},
			})
			if err == nil {
				reminded++
			}
		}
		if err != nil && !errors.Is(err, ErrStale) {
			errs = append(errs, fmt.Errorf("review %s: %w", v.ID, err))
		}
	}
	if reminded > 0 {
		s.Log.Info("volunteers flagged inactive and reminded", "count", reminded)
	}
	return reminded, errors.Join(errs...)
}

// RosterLine is one volunteer on a shift's roster, as staff see it.
type RosterLine struct {
	VolunteerID string `json:"volunteerId"`
	Name        string `json:"name"`
	Phone       string `json:"phone"`
	Signup
	CreditHours float64 `json:"creditHours"`
}

// Roster returns a shift and who signed up, checked in and out, for staff whose scope
// holds the shift's venue. It returns ErrShiftNotFound.
func (s *Service) Roster(ctx context.Context, c auth.Claims, shiftID string) (Shift, []RosterLine, error) {
	sh, err := s.Store.Shift(ctx, shiftID)
	if err != nil {
		return Shift{}, nil, err
	}
	sgs, err := s.Store.Roster(ctx, shiftID)
	if err != nil {
		return Shift{}, nil, fmt.Errorf("roster of %s: %w", shiftID, err)
	}
	lines := []RosterLine{}
	for _, sg := range sgs {
		v, err := s.Store.Volunteer(ctx, sg.VolunteerID)
		if err != nil {
			return Shift{}, nil, fmt.Errorf("roster of %s: %w", shiftID, err)
		}
		lines = append(lines, RosterLine{VolunteerID: v.ID, Name: v.Name, Phone: v.Phone, Signup: sg, CreditHours: Hours(sg.CreditMinutes)})
	}
	return sh, lines, nil
}

// WithdrawClosesAt is when withdrawing from a shift closes (Rules.WithdrawCutoff before
// its start): what a page says and when it stops offering to withdraw.
func (s *Service) WithdrawClosesAt(sh Shift) time.Time {
	return sh.StartsAt.Add(-s.rules().WithdrawCutoff)
}
