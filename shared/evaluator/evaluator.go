// Package evaluator is third-party evaluation of the public culture services: an admin
// grants a person of an outside organisation read access to some districts for a
// period; while the grant is current they download de-identified exports of the
// ratings, feedback and attendance of those districts; every download is logged before
// it is sent, and admins read the log.
package evaluator

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wentitong/wentitong/shared/fault"
)

// MaxGrant is the longest a grant may run: one engagement, renewed by a new grant.
const MaxGrant = 400 * 24 * time.Hour

// Grant is an evaluator's read access to the subtrees of some districts from From until
// Until, unless revoked earlier.
type Grant struct {
	ID           string    `json:"id"`
	OpenID       string    `json:"openid"`
	Name         string    `json:"name"`         // the evaluator, as the admin recorded them
	Organisation string    `json:"organisation"` // the third party they work for
	Districts    []string  `json:"districts"`    // district ids
	Paths        []string  `json:"-"`            // their paths
	From         time.Time `json:"from"`
	Until        time.Time `json:"until"`
	By           string    `json:"grantedBy"`
	CreatedAt    time.Time `json:"createdAt"`
	RevokedAt    time.Time `json:"revokedAt,omitzero"`
	RevokedBy    string    `json:"revokedBy,omitempty"`
	// Secret keys the grant's pseudonyms of residents; never answered.
	Secret string `json:"-"`
}

// Errors of evaluation grants and exports.
var (
	ErrGrantInvalid   = fault.New(fault.Invalid, "grant_invalid", "授权信息不完整：请填写评估人员、所属机构、1 至 20 个行政区划，以及不超过 400 天的起止时间")
	ErrGrantNotFound  = fault.New(fault.NotFound, "grant_not_found", "找不到该评估授权")
	ErrGrantRevoked   = fault.New(fault.Conflict, "grant_revoked", "该评估授权已撤销")
	ErrDatasetUnknown = fault.New(fault.NotFound, "dataset_unknown", "没有该类数据：可导出评价、意见和到场记录")
	ErrWindowInvalid  = fault.New(fault.Invalid, "window_invalid", "时间范围无效：起止日期格式为 2026-01-31，结束不早于开始，跨度不超过 366 天")
	ErrFormatInvalid  = fault.New(fault.Invalid, "format_invalid", "导出格式无效：应为数据或表格")
	ErrDistrictNeeded = fault.New(fault.Invalid, "district_required", "请指定要导出的行政区划")
)

// Validate reports ErrGrantInvalid unless the grant names a person, their name and
// organisation, 1 to 20 districts, and a period of at most MaxGrant.
func (g Grant) Validate() error {
	name, org := strings.TrimSpace(g.Name), strings.TrimSpace(g.Organisation)
	if g.OpenID == "" || len(g.OpenID) > 64 || name == "" || utf8.RuneCountInString(name) > 30 ||
		utf8.RuneCountInString(org) < 2 || utf8.RuneCountInString(org) > 60 ||
		len(g.Districts) == 0 || len(g.Districts) > 20 || slices.Contains(g.Districts, "") ||
		!g.From.Before(g.Until) || g.Until.Sub(g.From) > MaxGrant {
		return ErrGrantInvalid
	}
	return nil
}

// Current reports whether the grant lets its holder read at now.
func (g Grant) Current(now time.Time) bool {
	return !now.Before(g.From) && now.Before(g.Until) && g.RevokedAt.IsZero()
}

// Covers reports whether the grant's districts contain the district at path.
func (g Grant) Covers(path string) bool {
	return slices.ContainsFunc(g.Paths, func(p string) bool { return path == p || strings.HasPrefix(path, p+"/") })
}

// Pseudonym is how a resident appears in the grant's exports: the same person is the
// same code in every export of one grant (so visits, ratings and feedback can be told
// apart by person), and a different code under any other grant (so two evaluators
// cannot join their downloads). It is the first 12 hex digits of HMAC-SHA256 of the
// openid under the grant's secret, after "R".
func (g Grant) Pseudonym(openid string) string {
	if openid == "" {
		return ""
	}
	m := hmac.New(sha256.New, []byte(g.Secret))
	m.Write([]byte(openid))
	return "R" + hex.EncodeToString(m.Sum(nil))[:12]
}

// Access is one logged read by an evaluator: written before what it read is sent.
type Access struct {
	ID           string    `json:"id"`
	At           time.Time `json:"at"`
	GrantID      string    `json:"grantId"`
	OpenID       string    `json:"openid"`
	Name         string    `json:"name"`
	Organisation string    `json:"organisation"`
	Dataset      string    `json:"dataset"`
	DistrictID   string    `json:"districtId"`
	From         string    `json:"from"`
	To           string    `json:"to"`
	Format       string    `json:"format"`
	Rows         int       `json:"rows"`
}
