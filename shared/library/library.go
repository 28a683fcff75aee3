// Package library is the digital resource library (地方特色数字资源库): institutions'
// collections of catalogued items, each with its media files in object storage.
package library

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wentitong/wentitong/shared/fault"
)

// Status is where an item is in its life: a draft only staff see, or published.
type Status string

// The statuses of an item.
const (
	StatusDraft     Status = "draft"
	StatusPublished Status = "published"
)

// Rights say who holds the rights in an item.
var Rights = []string{
	"public_domain",      // 公有领域
	"institution",        // 本机构所有
	"licensed",           // 权利人授权
	"rights_holder_only", // 权利人保留，仅馆内使用
}

// Licences are the terms residents may use an item under.
var Licences = []string{"CC0-1.0", "CC-BY-4.0", "CC-BY-NC-4.0", "CC-BY-NC-ND-4.0", "all_rights_reserved"}

// Collection is one resource library (资源库) of an institution.
type Collection struct {
	ID            string    `json:"id"`
	InstitutionID string    `json:"institutionId"`
	Name          string    `json:"name"`
	Description   string    `json:"description,omitempty" input:"long"`
	CreatedAt     time.Time `json:"createdAt"`
}

// Item is one catalogued resource: its metadata and, separately, its media.
type Item struct {
	ID            string    `json:"id"`
	CollectionID  string    `json:"collectionId"`
	InstitutionID string    `json:"institutionId"`
	Title         string    `json:"title"`
	Creators      []string  `json:"creators"`
	Date          string    `json:"date,omitempty"`     // YYYY, YYYY-MM or YYYY-MM-DD
	DateText      string    `json:"dateText,omitempty"` // as people say it: 清代, 1950 年代
	Subjects      []string  `json:"subjects"`
	Description   string    `json:"description,omitempty" input:"long"`
	DistrictID    string    `json:"districtId,omitempty"` // the place the item concerns
	DistrictPath  string    `json:"-"`
	Rights        string    `json:"rights"`
	Licence       string    `json:"licence"`
	Status        Status    `json:"status"`
	MediaTypes    []string  `json:"mediaTypes"` // the kinds of its ready media, for search filters
	CreatedAt     time.Time `json:"createdAt"`
	UpdatedAt     time.Time `json:"updatedAt"`
	PublishedAt   time.Time `json:"publishedAt,omitzero"`
	Version       int       `json:"version"`
}

// Errors of collections and items.
var (
	ErrCollectionInvalid  = fault.New(fault.Invalid, "collection_invalid", "资源库名称为 1 到 50 个字，简介不超过 500 字")
	ErrCollectionNotFound = fault.New(fault.NotFound, "collection_not_found", "找不到该资源库")
	ErrItemNotFound       = fault.New(fault.NotFound, "item_not_found", "找不到该资源")
	ErrItemChanged        = fault.New(fault.Conflict, "item_changed", "该资源已被他人修改，请刷新后重试")
	ErrAlreadyPublished   = fault.New(fault.Conflict, "item_published", "该资源已发布")
	ErrNotPublished       = fault.New(fault.Conflict, "item_not_published", "该资源尚未发布")
)

// Limits of an item's metadata.
const (
	maxTitle       = 100
	maxCreators    = 10
	maxName        = 50
	maxSubjects    = 20
	maxSubject     = 20
	maxDescription = 5000
	maxDateText    = 30
)

var datePattern = regexp.MustCompile(`^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$`)

// Validate reports a field-by-field invalid error unless the collection has a name of 1
// to 50 characters and a description of at most 500.
func (c Collection) Validate() error {
	n := utf8.RuneCountInString(strings.TrimSpace(c.Name))
	if n == 0 || n > maxName || utf8.RuneCountInString(c.Description) > 500 || c.InstitutionID == "" {
		return ErrCollectionInvalid
	}
	return nil
}

// Validate checks an item's metadata and returns an invalid error naming the first field
// that is wrong: a title of 1 to 100 characters; 0 to 10 creators of 1 to 50; a date of
// the form YYYY, YYYY-MM or YYYY-MM-DD that is a real day; at most 20 subjects of 1 to
// 20 characters, without repeats; a description of at most 5,000; a known rights
// statement and licence.
func (it Item) Validate() error {
	bad := func(field, msg string) error {
		return fault.Invalidf("item_invalid_"+field, "%s", msg)
	}
	if n := utf8.RuneCountInString(it.Title); n == 0 || n > maxTitle || strings.TrimSpace(it.Title) != it.Title {
		return bad("title", "标题为 1 到 100 个字，前后不留空格")
	}
	if len(it.Creators) > maxCreators {
		return bad("creators", "作者（创作者）最多 10 位")
	}
	for _, c := range it.Creators {
		if n := utf8.RuneCountInString(c); n == 0 || n > maxName || strings.TrimSpace(c) != c {
			return bad("creators", "每位作者的名字为 1 到 50 个字")
		}
	}
	if it.Date != "" {
		if !datePattern.MatchString(it.Date) || !realDate(it.Date) {
			return bad("date", "日期应为 YYYY、YYYY-MM 或 YYYY-MM-DD，且是真实存在的日期")
		}
	}
	if utf8.RuneCountInString(it.DateText) > maxDateText {
		return bad("date_text", "日期说明不超过 30 个字")
	}
	if len(it.Subjects) > maxSubjects {
		return bad("subjects", "主题词最多 20 个")
	}
	for i, s := range it.Subjects {
		if n := utf8.RuneCountInString(s); n == 0 || n > maxSubject || strings.TrimSpace(s) != s {
			return bad("subjects", "每个主题词为 1 到 20 个字")
		}
		if slices.Contains(it.Subjects[:i], s) {
			return bad("subjects", "主题词不能重复："+s)
		}
	}
	if utf8.RuneCountInString(it.Description) > maxDescription {
		return bad("description", "简介不超过 5000 字")
	}
	if !slices.Contains(Rights, it.Rights) {
		return bad("rights", "请选择权利状态：public_domain、institution、licensed 或 rights_holder_only")
	}
	if !slices.Contains(Licences, it.Licence) {
		return bad("licence", "请选择许可协议：CC0-1.0、CC-BY-4.0、CC-BY-NC-4.0、CC-BY-NC-ND-4.0 或 all_rights_reserved")
	}
	if it.Rights == "rights_holder_only" && it.Licence != "all_rights_reserved" {
		return bad("licence", "权利人保留的资源只能选择 all_rights_reserved")
	}
	return nil
}

// realDate reports whether a date matching datePattern names a day that exists.
func realDate(s string) bool {
	if len(s) < len("2006-01-02") {
		return true
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// Year returns the item's year, or 0 without a date.
func (it Item) Year() int {
	if len(it.Date) < 4 {
		return 0
	}
	y := 0
	for _, r := range it.Date[:4] {
		y = y*10 + int(r-'0')
	}
	return y
}

// Edit is what staff may change in an item's metadata.
type Edit struct {
	Title       string   `json:"title"`
	Creators    []string `json:"creators"`
	Date        string   `json:"date"`
	DateText    string   `json:"dateText"`
	Subjects    []string `json:"subjects"`
	Description string   `json:"description" input:"long"`
	DistrictID  string   `json:"districtId"`
	Rights      string   `json:"rights"`
	Licence     string   `json:"licence"`
}

// apply returns the item with the edit's fields, trimmed.
func (e Edit) apply(it Item) Item {
	it.Title, it.Date, it.DateText = strings.TrimSpace(e.Title), strings.TrimSpace(e.Date), strings.TrimSpace(e.DateText)
	it.Creators, it.Subjects = trimAll(e.Creators), trimAll(e.Subjects)
	it.Description, it.DistrictID, it.Rights, it.Licence = strings.TrimSpace(e.Description), e.DistrictID, e.Rights, e.Licence
	return it
}

func trimAll(ss []string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		out = append(out, strings.TrimSpace(s))
	}
	return out
}
