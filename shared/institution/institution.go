// Package institution is the public culture institutions of the city (libraries,
// museums, culture halls) and the staff who work for each: who may catalogue what.
package institution

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/fault"
)

// Kind is what an institution is.
type Kind string

// The kinds of institution.
const (
	KindLibrary        Kind = "library"         // 图书馆
	KindMuseum         Kind = "museum"          // 博物馆
	KindCultureHall    Kind = "culture_hall"    // 文化馆
	KindCultureStation Kind = "culture_station" // 乡镇（街道）综合文化站
	KindVillageCentre  Kind = "village_centre"  // 村（社区）综合性文化服务中心
)

// Kinds lists the known kinds.
var Kinds = []Kind{KindLibrary, KindMuseum, KindCultureHall, KindCultureStation, KindVillageCentre}

// Institution is one public culture institution, in a district of the directory. Its
// level is the administration it belongs to, which need not be its district's: the city
// library stands in 天元区 but is the city's.
type Institution struct {
	ID           string          `json:"id"`
	Name         string          `json:"name"`
	Kind         Kind            `json:"kind"`
	Level        directory.Level `json:"level"`
	DistrictID   string          `json:"districtId"`
	DistrictPath string          `json:"-"`
	// Venues are the ids of the venues it owns (runs): its activities, bookings and
	// ratings are its figures.
	Venues []string `json:"venues"`
}

// Errors of institutions.
var (
	ErrInvalid    = fault.New(fault.Invalid, "institution_invalid", "机构信息不完整：编号（小写字母、数字、短横线）、名称、类型、层级（市、县、乡镇、村）、所属区划")
	ErrNotFound   = fault.New(fault.NotFound, "institution_not_found", "找不到该机构")
	ErrExists     = fault.New(fault.Conflict, "institution_exists", "该机构编号已存在")
	ErrOutOfScope = fault.New(fault.Forbidden, "institution_out_of_scope", "只能管理本机构的资源")
	ErrNotOwner   = fault.New(fault.NotFound, "venue_not_owned", "该场馆不属于此机构")
)

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,39}$`)

// Validate reports ErrInvalid unless the institution has an id of 2 to 40 lower-case
// letters, digits and dashes, a name of at most 50 characters, a known kind and a
// district.
func (i Institution) Validate() error {
	name := strings.TrimSpace(i.Name)
	if !idPattern.MatchString(i.ID) || name == "" || utf8.RuneCountInString(name) > 50 ||
		!slices.Contains(Kinds, i.Kind) || i.DistrictID == "" ||
		!slices.Contains([]directory.Level{directory.LevelCity, directory.LevelCounty, directory.LevelTownship, directory.LevelVillage}, i.Level) {
		return ErrInvalid
	}
	return nil
}

// County returns the id of the county-level district the institution belongs to (the
// second element of its district path), or "" for an institution of the city itself.
func (i Institution) County() string {
	parts := strings.Split(i.DistrictPath, "/")
	if i.Level == directory.LevelCity || len(parts) < 2 {
		return ""
	}
	return parts[1]
}

// Store keeps institutions and who works for each.
type Store interface {
	// CreateInstitution writes a new institution; ErrExists when the id is taken.
	CreateInstitution(ctx context.Context, i Institution) error
	// Institution returns one institution, or ErrNotFound.
	Institution(ctx context.Context, id string) (Institution, error)
	// Institutions returns every institution, by district path then id.
	Institutions(ctx context.Context) ([]Institution, error)
	// SetEmployer records that openid works for the institution ("" removes it).
	SetEmployer(ctx context.Context, openid, institutionID string) error
	// Employer returns the institution openid works for, or "".
	Employer(ctx context.Context, openid string) (string, error)
	// Staff returns the openids of the people who work for the institution.
	Staff(ctx context.Context, id string) ([]string, error)
	// SetOwner records that the institution owns the venue, in place of its previous
	// owner ("" leaves it without one).
	SetOwner(ctx context.Context, venueID, institutionID string) error
	// Owned returns the venues each institution owns, by institution id.
	Owned(ctx context.Context) (map[string][]string, error)
}

// Guard decides which institution's resources a signed-in person may change: admins
// any, its staff (the people an admin assigned to it) their own.
type Guard struct{ Store Store }

// Permit returns nil when c may act for the institution id, else ErrOutOfScope.
func (g Guard) Permit(ctx context.Context, c auth.Claims, id string) error {
	if c.Has(auth.RoleAdmin) {
		return nil
	}
	emp, err := g.Store.Employer(ctx, c.OpenID)
	if err != nil {
		return err
	}
	if emp == "" || emp != id {
		return ErrOutOfScope
	}
	return nil
}
