// Package volunteer is the city's corps of cultural volunteers and social sports
// instructors: registration, status lifecycle, shifts, QR check-in and the hours ledger.
package volunteer

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/privacy"
)

// Category is what kind of volunteer someone is.
type Category string

// The categories.
const (
	CategoryCulture          Category = "culture"           // 文化志愿者
	CategorySportsInstructor Category = "sports_instructor" // 社会体育指导员
)

// Valid reports whether c is a known category.
func (c Category) Valid() bool { return c == CategoryCulture || c == CategorySportsInstructor }

// Status is where a volunteer is in the lifecycle.
type Status string

// The statuses. An application is pending until a coordinator approves (active) or
// rejects it; an active volunteer may be suspended or retire; a suspended or retired one
// may be reinstated.
const (
	StatusPending   Status = "pending"   // 待审核
	StatusActive    Status = "active"    // 在册
	StatusSuspended Status = "suspended" // 暂停
	StatusRetired   Status = "retired"   // 退出
	StatusRejected  Status = "rejected"  // 未通过
)

// StatusTexts is the one Chinese word for each volunteer status, wherever a person reads
// it: messages, the chat, certificates (docs/glossary.md).
var StatusTexts = map[Status]string{
	StatusPending: "待审核", StatusActive: "在册", StatusSuspended: "暂停", StatusRetired: "退出", StatusRejected: "未通过",
}

// Text is the status as a person reads it.
func (s Status) Text() string { return StatusTexts[s] }

// Action is a staff decision that moves a volunteer from one status to another.
type Action string

// The actions, as the admin routes name them.
const (
	ActionApprove   Action = "approve"
	ActionReject    Action = "reject"
	ActionSuspend   Action = "suspend"
	ActionRetire    Action = "retire"
	ActionReinstate Action = "reinstate"
)

// transitions lists, per action, the statuses it applies to and the status it leads to.
var transitions = map[Action]struct {
	from []Status
	to   Status
}{
	ActionApprove:   {[]Status{StatusPending}, StatusActive},
	ActionReject:    {[]Status{StatusPending}, StatusRejected},
	ActionSuspend:   {[]Status{StatusActive}, StatusSuspended},
	ActionRetire:    {[]Status{StatusActive, StatusSuspended}, StatusRetired},
	ActionReinstate: {[]Status{StatusSuspended, StatusRetired}, StatusActive},
}

// Actions lists every action, in the order the admin routes are declared.
var Actions = []Action{ActionApprove, ActionReject, ActionSuspend, ActionRetire, ActionReinstate}

// Next returns the status action leads to from from: ErrActionUnknown for an unknown
// action, ErrTransition when the action does not apply to from.
func Next(from Status, action Action) (Status, error) {
	t, ok := transitions[action]
	if !ok {
		return "", ErrActionUnknown
	}
	if !slices.Contains(t.from, from) {
		return "", ErrTransition
	}
	return t.to, nil
}

// needsReason reports whether an action must say why: every one but approval does.
func needsReason(a Action) bool { return a != ActionApprove }

// Volunteer is one registered person. The ID number is kept only as a keyed hash (for
// "one registration per person") and a masked form (for certificates); it is never
// stored, returned or logged in clear.
type Volunteer struct {
	ID             string    `json:"id"`
	OpenID         string    `json:"-"`
	Name           string    `json:"name"`
	Phone          string    `json:"phone"`
	IDNumberHash   string    `json:"-"`
	IDNumberKeyID  string    `json:"-"` // IDKeyID of the key IDNumberHash was made with
	IDNumberMasked string    `json:"idNumberMasked"`
	DistrictID     string    `json:"districtId"`
	DistrictPath   string    `json:"-"`
	Category       Category  `json:"category"`
	Skills         []string  `json:"skills,omitempty"`
	Team           string    `json:"team,omitempty"`
	Status         Status    `json:"status"`
	StatusReason   string    `json:"statusReason,omitempty"`
	AppliedAt      time.Time `json:"appliedAt"`
	UpdatedAt      time.Time `json:"updatedAt"`
	// ReconfirmBy is when an active volunteer must next confirm or serve ("dynamic
	// management"); Inactive is set by the scheduler when it passes, and cleared by a
	// confirmation or a credited check-out.
	ReconfirmBy time.Time `json:"reconfirmBy"`
	Inactive    bool      `json:"inactive"`
	// CreditMinutes and HonourMinutes are the ledger's totals, kept on the volunteer in
	// the same transaction as each entry.
	CreditMinutes int `json:"-"`
	HonourMinutes int `json:"-"`
}

// Change is one status change, kept as history.
type Change struct {
	ID          string    `json:"id"`
	VolunteerID string    `json:"-"`
	Action      Action    `json:"action"`
	From        Status    `json:"from"`
	To          Status    `json:"to"`
	Reason      string    `json:"reason,omitempty" input:"long"`
	By          string    `json:"by"` // the staff member's openid, masked in responses
	At          time.Time `json:"at"`
}

// Application is what a resident submits to register.
type Application struct {
	Name       string   `json:"name"`
	Phone      string   `json:"phone"`
	IDNumber   string   `json:"idNumber"`
	DistrictID string   `json:"districtId"`
	Category   Category `json:"category"`
	Skills     []string `json:"skills"`
	Team       string   `json:"team"`
}

// Errors of registration and the lifecycle.
var (
	ErrNameInvalid     = fault.New(fault.Invalid, "name_invalid", "请填写真实姓名（不超过 30 个字）")
	ErrPhoneInvalid    = fault.New(fault.Invalid, "phone_invalid", "请填写 11 位手机号码")
	ErrIDNumberInvalid = fault.New(fault.Invalid, "id_number_invalid", "身份证号码无效，请检查后重新填写")
	ErrCategoryInvalid = fault.New(fault.Invalid, "category_invalid", "请选择志愿者类别：文化志愿者或社会体育指导员")
	ErrProfileInvalid  = fault.New(fault.Invalid, "profile_invalid", "技能最多 10 项、每项不超过 20 字，队伍名称不超过 50 字")
	ErrAlreadyApplied  = fault.New(fault.Conflict, "already_applied", "您已提交过志愿者申请")
	ErrIDNumberTaken   = fault.New(fault.Conflict, "id_number_registered", "该身份证号码已登记为志愿者")
	ErrNotFound        = fault.New(fault.NotFound, "volunteer_not_found", "找不到该志愿者")
	ErrNotAppointed    = fault.New(fault.NotFound, "appointment_not_found", "该用户没有被任命为协调员或工作人员")
	ErrNotApplied      = fault.New(fault.NotFound, "not_a_volunteer", "您还没有申请成为志愿者")
	ErrActionUnknown   = fault.New(fault.NotFound, "action_unknown", "不支持该操作")
	ErrTransition      = fault.New(fault.Conflict, "status_transition_invalid", "志愿者当前状态不允许该操作")
	ErrReasonRequired  = fault.New(fault.Invalid, "reason_required", "请填写原因（不超过 200 字）")
)

var phonePattern = regexp.MustCompile(`^1[3-9][0-9]{9}$`)

// normalize trims the application and checks everything but the district, which needs
// the directory. It returns the first error found.
func (a *Application) normalize() error {
	a.Name = strings.TrimSpace(a.Name)
	a.Phone = strings.TrimSpace(a.Phone)
	a.IDNumber = strings.ToUpper(strings.TrimSpace(a.IDNumber))
	a.Team = strings.TrimSpace(a.Team)
	for i, s := range a.Skills {
		a.Skills[i] = strings.TrimSpace(s)
	}
	if len(a.Skills) == 0 {
		a.Skills = nil // stored as no attribute: an empty list does not read back from the embedded engine
	}
	problems := a.Problems()
	for _, field := range ApplicationFields {
		if err := problems[field]; err != nil {
			return err
		}
	}
	return nil
}

// ApplicationFields are the fields of an application, in the order they are checked.
var ApplicationFields = []string{"name", "phone", "idNumber", "category", "profile"}

// Problems returns, for each field of a (trimmed) application that breaks a rule, its
// error, keyed by ApplicationFields: what a form shows beside each field at once. Apply
// refuses with the first of them. The district is checked against the directory by Apply.
func (a Application) Problems() map[string]error {
	p := map[string]error{}
	if n := utf8.RuneCountInString(a.Name); n < 2 || n > 30 {
		p["name"] = ErrNameInvalid
	}
	if !phonePattern.MatchString(a.Phone) {
		p["phone"] = ErrPhoneInvalid
	}
	if !ValidIDNumber(a.IDNumber) {
		p["idNumber"] = ErrIDNumberInvalid
	}
	if !a.Category.Valid() {
		p["category"] = ErrCategoryInvalid
	}
	if len(a.Skills) > 10 || utf8.RuneCountInString(a.Team) > 50 {
		p["profile"] = ErrProfileInvalid
	}
	for _, s := range a.Skills {
		if s == "" || utf8.RuneCountInString(s) > 20 {
			p["profile"] = ErrProfileInvalid
		}
	}
	return p
}

// ValidIDNumber reports whether id is an 18-character resident identity card number with
// a plausible date of birth and the right check character (privacy.ValidIDNumber).
func ValidIDNumber(id string) bool { return privacy.ValidIDNumber(id) }

// HashIDNumber is the keyed hash of an ID number (privacy.HashIDNumber).
func HashIDNumber(key []byte, id string) string { return privacy.HashIDNumber(key, id) }

// IDKeyID names an ID number hash key without revealing it (privacy.IDKeyID).
func IDKeyID(key []byte) string { return privacy.IDKeyID(key) }

// MaskIDNumber is the form certificates and responses show: the first and last two
// characters.
func MaskIDNumber(id string) string { return privacy.IDNumber(id) }

// inScope reports whether a district path lies in the subtree rooted at scope.
func inScope(path, scope string) bool {
	return path == scope || strings.HasPrefix(path, scope+"/")
}
