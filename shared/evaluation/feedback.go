package evaluation

import (
	"time"
	"unicode/utf8"

	"github.com/wentitong/wentitong/shared/fault"
)

// ResponseTime is how long staff have to answer a feedback ticket.
const ResponseTime = 72 * time.Hour

// Ticket statuses.
const (
	TicketOpen     = "open"
	TicketAnswered = "answered"
)

// TicketTexts is the one Chinese word for each ticket status (docs/glossary.md).
var TicketTexts = map[string]string{TicketOpen: "待答复", TicketAnswered: "已答复"}

// Ticket categories.
var Categories = []string{"suggestion", "complaint", "praise", "question"}

// CategoryTexts is how each category reads (docs/glossary.md): staff alerts name it.
var CategoryTexts = map[string]string{"suggestion": "建议", "complaint": "投诉", "praise": "表扬", "question": "咨询"}

// Errors of feedback tickets.
var (
	ErrTicketInvalid  = fault.New(fault.Invalid, "feedback_invalid", "请填写 1 到 1000 字的意见内容，并选择正确的类别")
	ErrReplyInvalid   = fault.New(fault.Invalid, "reply_invalid", "请填写 1 到 600 字的答复")
	ErrTicketNotFound = fault.New(fault.NotFound, "feedback_not_found", "找不到该意见")
	ErrTicketClosed   = fault.New(fault.Conflict, "feedback_answered", "该意见已答复")
)

// Ticket is a resident's suggestion, complaint, praise or question: from the chat's 建议
// keyword or the H5 form. It is about a venue or a district (the city when neither is
// given), owned by a staff member of that district, and due for an answer ResponseTime
// after it was filed.
type Ticket struct {
	ID           string    `json:"id"`
	OpenID       string    `json:"-"`
	Category     string    `json:"category"`
	Text         string    `json:"text" input:"long"`
	VenueID      string    `json:"venueId,omitempty"`
	DistrictID   string    `json:"districtId"`
	DistrictPath string    `json:"-"`
	Source       string    `json:"source"` // "h5" or "chat"
	Owner        string    `json:"-"`      // the openid of the staff member who answers it
	Status       string    `json:"status"`
	CreatedAt    time.Time `json:"createdAt"`
	DueAt        time.Time `json:"dueAt"`
	Reply        string    `json:"reply,omitempty" input:"long"`
	RepliedAt    time.Time `json:"repliedAt,omitzero"`
}

// Validate reports ErrTicketInvalid unless the ticket has its author, a known category,
// 1 to 1000 characters of text and a district.
func (t Ticket) Validate() error {
	n := utf8.RuneCountInString(t.Text)
	known := false
	for _, c := range Categories {
		known = known || c == t.Category
	}
	if t.OpenID == "" || !known || n < 1 || n > 1000 || t.DistrictID == "" {
		return ErrTicketInvalid
	}
	return nil
}

// Overdue reports whether an open ticket is past its deadline at now.
func (t Ticket) Overdue(now time.Time) bool {
	return t.Status == TicketOpen && now.After(t.DueAt)
}

// ValidReply reports ErrReplyInvalid unless text is 1 to 600 characters (a WeChat
// customer-service message carries it).
func ValidReply(text string) error {
	if n := utf8.RuneCountInString(text); n < 1 || n > 600 {
		return ErrReplyInvalid
	}
	return nil
}
