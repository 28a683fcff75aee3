package account

import (
	"context"
	"crypto/rand"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wentitong/wentitong/shared/fault"
)

// Dependant is a family member a resident books for: an elderly parent without a
// smartphone, a child. Their bookings are the resident's (listed with theirs, told to
// them), held in the dependant's name: limits and no-show strikes count per dependant,
// and the ticket and the door show the dependant's name.
type Dependant struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Relation  string    `json:"relation"`            // one of Relations
	BirthYear int       `json:"birthYear,omitempty"` // optional
	CreatedAt time.Time `json:"createdAt"`
	// IDNumberMasked is the masked form of the ID number given when they were first
	// booked for a real-name session (43**************12); the number is kept only as a
	// keyed hash, as volunteers' are, and never shown or returned.
	IDNumberMasked string `json:"idNumberMasked,omitempty"`
}

// Relations are the relations a dependant may have to the resident, with their names.
var Relations = map[string]string{
	"father": "父亲", "mother": "母亲", "spouse": "配偶", "child": "子女",
	"grandparent": "祖父母", "grandchild": "孙辈", "other": "其他亲属",
}

// RelationOrder is the order forms list the relations in.
var RelationOrder = []string{"mother", "father", "spouse", "child", "grandparent", "grandchild", "other"}

// Label is how a ticket and the door name the dependant: 王秀英（母亲）.
func (d Dependant) Label() string { return d.Name + "（" + Relations[d.Relation] + "）" }

// MaxDependants is how many dependants one resident may add.
const MaxDependants = 10

// Errors of dependants.
var (
	ErrDependantInvalid  = fault.New(fault.Invalid, "dependant_invalid", "请填写家人的姓名（1 到 20 个字）并选择关系；出生年份可不填")
	ErrDependantNotFound = fault.New(fault.NotFound, "dependant_not_found", "找不到这位家人，请刷新后重试")
	ErrTooManyDependants = fault.New(fault.Conflict, "too_many_dependants", "最多添加 10 位家人")
)

var validDependantID = regexp.MustCompile(`^d[a-z0-9]{6,15}$`)

// ValidDependantID reports whether id can name a dependant (it appears in keys and
// booking ids).
func ValidDependantID(id string) bool { return validDependantID.MatchString(id) }

// Normalize trims the name and checks the dependant: ErrDependantInvalid unless the name
// has 1 to 20 characters, the relation is known and the birth year, when given, lies
// between 1900 and now.
func (d *Dependant) Normalize(now time.Time) error {
	d.Name = strings.TrimSpace(d.Name)
	n := utf8.RuneCountInString(d.Name)
	if n < 1 || n > 20 || Relations[d.Relation] == "" || d.BirthYear != 0 && (d.BirthYear < 1900 || d.BirthYear > now.Year()) {
		return ErrDependantInvalid
	}
	return nil
}

// Family keeps residents' dependants.
type Family interface {
	// AddDependant stores d (its id set) unless the person has MaxDependants already.
	AddDependant(ctx context.Context, person string, d Dependant) error
	// Dependants lists the person's dependants, oldest first.
	Dependants(ctx context.Context, person string) ([]Dependant, error)
	// Dependant returns one, or ErrDependantNotFound.
	Dependant(ctx context.Context, person, id string) (Dependant, error)
	// RemoveDependant removes one (ErrDependantNotFound when there is none).
	RemoveDependant(ctx context.Context, person, id string) error
}

// AddDependant checks d, gives it an id and adds it to person's family: the errors of
// Normalize and Family.AddDependant.
func AddDependant(ctx context.Context, family Family, person string, d Dependant, now time.Time) (Dependant, error) {
	if err := d.Normalize(now); err != nil {
		return Dependant{}, err
	}
	d.ID, d.CreatedAt = "d"+strings.ToLower(rand.Text()[:10]), now.UTC()
	if err := family.AddDependant(ctx, person, d); err != nil {
		return Dependant{}, err
	}
	return d, nil
}
