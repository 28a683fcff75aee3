package directorydb

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/geo"
)

// Directory stores districts and venues.
type Directory struct {
	DB    *dynamodb.Client
	Table string
}

// districtItem is a directory.District in the table. Its attributes are named here, not
// by the domain type, so that renaming a field there changes no stored data.
type districtItem struct {
	dynamo.Keys
	dynamo.GSI1
	ID         string `dynamodbav:"ID"`
	ParentID   string `dynamodbav:"ParentID"`
	Name       string `dynamodbav:"Name"`
	Level      string `dynamodbav:"Level"`
	Path       string `dynamodbav:"Path"`
	Population int    `dynamodbav:"Population"`
}

func newDistrictItem(d directory.District) districtItem {
	return districtItem{Keys: dynamo.Keys{PK: dynamo.DistrictPK(d.ID), SK: dynamo.SKDistrict}, GSI1: dynamo.GSI1{PK: dynamo.GSIDistricts, SK: d.Path},
		ID: d.ID, ParentID: d.ParentID, Name: d.Name, Level: string(d.Level), Path: d.Path, Population: d.Population}
}

func (it districtItem) district() directory.District {
	return directory.District{ID: it.ID, ParentID: it.ParentID, Name: it.Name, Level: directory.Level(it.Level), Path: it.Path, Population: it.Population}
}

// venueItem is a directory.Venue in the table, its attributes named here.
type venueItem struct {
	dynamo.Keys
	dynamo.GSI1
	dynamo.GSI2
	ID            string       `dynamodbav:"ID"`
	Name          string       `dynamodbav:"Name"`
	Kind          string       `dynamodbav:"Kind"`
	DistrictID    string       `dynamodbav:"DistrictID"`
	DistrictPath  string       `dynamodbav:"DistrictPath"`
	Address       string       `dynamodbav:"Address"`
	Location      locationAttr `dynamodbav:"Location"`
	OpeningHours  string       `dynamodbav:"OpeningHours"`
	Facilities    []string     `dynamodbav:"Facilities"`
	Accessibility string       `dynamodbav:"Accessibility"`
	Phone         string       `dynamodbav:"Phone"`
}

// locationAttr is a directory.Location in an item.
type locationAttr struct {
	Lat float64 `dynamodbav:"Lat"`
	Lng float64 `dynamodbav:"Lng"`
}

func newVenueItem(v directory.Venue) venueItem {
	return venueItem{ID: v.ID, Name: v.Name, Kind: v.Kind, DistrictID: v.DistrictID, DistrictPath: v.DistrictPath,
		Address: v.Address, Location: locationAttr{Lat: v.Location.Lat, Lng: v.Location.Lng}, OpeningHours: v.OpeningHours,
		Facilities: v.Facilities, Accessibility: v.Accessibility, Phone: v.Phone}
}

func (it venueItem) venue() directory.Venue {
	return directory.Venue{ID: it.ID, Name: it.Name, Kind: it.Kind, DistrictID: it.DistrictID, DistrictPath: it.DistrictPath,
		Address: it.Address, Location: directory.Location{Lat: it.Location.Lat, Lng: it.Location.Lng}, OpeningHours: it.OpeningHours,
		Facilities: it.Facilities, Accessibility: it.Accessibility, Phone: it.Phone}
}

var (
	_ directory.Store   = (*Directory)(nil)
	_ directory.Locator = (*Directory)(nil)
)

// PutDistrict writes a district after validating it, replacing any with its id (the
// demo data's seeding).
func (d *Directory) PutDistrict(ctx context.Context, dist directory.District) error {
	if err := dist.Validate(); err != nil {
		return err
	}
	return dynamo.Put(ctx, d.DB, d.Table, "put district", newDistrictItem(dist), expression.ConditionBuilder{})
}

// CreateDistrict writes a new district after validating it; it returns
// directory.ErrDistrictExists when its id is taken.
func (d *Directory) CreateDistrict(ctx context.Context, dist directory.District) error {
	if err := dist.Validate(); err != nil {
		return err
	}
	err := dynamo.Put(ctx, d.DB, d.Table, "create district", newDistrictItem(dist), expression.AttributeNotExists(expression.Name("PK")))
	if errors.Is(err, dynamo.ErrConditionFailed) {
		return directory.ErrDistrictExists
	}
	return err
}

// RenameDistrict sets the name of an existing district; it returns
// directory.ErrDistrictUnknown when there is none.
func (d *Directory) RenameDistrict(ctx context.Context, id, name string) error {
	_, err := dynamo.Update(ctx, d.DB, d.Table, "rename district", dynamo.DistrictPK(id), dynamo.SKDistrict,
		expression.Set(expression.Name("Name"), expression.Value(name)), expression.AttributeExists(expression.Name("PK")), types.ReturnValueNone)
	if errors.Is(err, dynamo.ErrConditionFailed) {
		return directory.ErrDistrictUnknown
	}
	return err
}

// District returns one district, or directory.ErrDistrictUnknown.
func (d *Directory) District(ctx context.Context, id string) (directory.District, error) {
	it, err := dynamo.One[districtItem](ctx, d.DB, d.Table, "get district", dynamo.DistrictPK(id), dynamo.SKDistrict, false, directory.ErrDistrictUnknown)
	return it.district(), err
}

// Districts returns the whole tree in path order (parents before children) with one
// paginated Query of GSI1.
func (d *Directory) Districts(ctx context.Context) ([]directory.District, error) {
	return dynamo.QueryAllAs(ctx, d.DB, d.Table, "list districts", dynamo.Query{Index: "GSI1", Key: dynamo.Partition("GSI1", dynamo.GSIDistricts, "")}, districtItem.district)
}

// PutVenue writes a venue after validating it, replacing any with its id (the demo
// data's seeding); its district must exist.
func (d *Directory) PutVenue(ctx context.Context, v directory.Venue) error {
	return d.putVenue(ctx, "put venue", v, expression.ConditionBuilder{}, nil)
}

// CreateVenue writes a new venue after validating it; it returns
// directory.ErrDistrictUnknown for an unknown district and directory.ErrVenueExists when
// the id is taken.
func (d *Directory) CreateVenue(ctx context.Context, v directory.Venue) error {
	return d.putVenue(ctx, "create venue", v, expression.AttributeNotExists(expression.Name("PK")), directory.ErrVenueExists)
}

// UpdateVenue replaces an existing venue (its index keys follow its district and
// location); it returns directory.ErrVenueNotFound when there is none.
func (d *Directory) UpdateVenue(ctx context.Context, v directory.Venue) error {
	return d.putVenue(ctx, "update venue", v, expression.AttributeExists(expression.Name("PK")), directory.ErrVenueNotFound)
}

// putVenue writes v under cond; ifFailed is what a failed condition returns.
func (d *Directory) putVenue(ctx context.Context, op string, v directory.Venue, cond expression.ConditionBuilder, ifFailed error) error {
	if err := v.Validate(); err != nil {
		return err
	}
	dist, err := d.District(ctx, v.DistrictID)
	if err != nil {
		return fmt.Errorf("%s %s: %w", op, v.ID, err)
	}
	v.DistrictPath = dist.Path
	if len(v.Facilities) == 0 {
		v.Facilities = nil // the embedded engine mangles empty lists (team.go)
	}
	hash := geo.Encode(v.Location.Lat, v.Location.Lng, dynamo.GeoSortPrecision)
	item := newVenueItem(v)
	item.Keys = dynamo.Keys{PK: dynamo.VenuePK(v.ID), SK: dynamo.SKVenue}
	item.GSI1 = dynamo.GSI1{PK: dynamo.GSIVenues, SK: dist.Path + "#" + v.ID}
	item.GSI2 = dynamo.GSI2{PK: dynamo.GeoPK(hash), SK: dynamo.GeoSK(hash, v.ID)}
	err = dynamo.Put(ctx, d.DB, d.Table, op, item, cond)
	if ifFailed != nil && errors.Is(err, dynamo.ErrConditionFailed) {
		return ifFailed
	}
	return err
}

// Venue returns one venue, or directory.ErrVenueNotFound.
func (d *Directory) Venue(ctx context.Context, id string) (directory.Venue, error) {
	it, err := dynamo.One[venueItem](ctx, d.DB, d.Table, "get venue", dynamo.VenuePK(id), dynamo.SKVenue, false, directory.ErrVenueNotFound)
	return it.venue(), err
}

// VenuesUnder returns the venues of a district's whole subtree (all venues for the city).
func (d *Directory) VenuesUnder(ctx context.Context, dist directory.District) ([]directory.Venue, error) {
	return dynamo.QueryAllAs(ctx, d.DB, d.Table, "list venues", dynamo.Query{Index: "GSI1", Key: dynamo.Partition("GSI1", dynamo.GSIVenues, dist.Path)}, venueItem.venue)
}

// ScopeItem is the district a staff member or coordinator looks after (USER#<openid> /
// SCOPE), written whole by both ways of appointing someone (the directory's scope route
// and the volunteers' appointments): listed on GSI1 under the district (SCOPED#<id>) and
// on GSI3 by the district's path (SCOPES / <path>#<openid>).
type ScopeItem struct {
	dynamo.Keys
	dynamo.GSI1
	dynamo.GSI3
	OpenID       string `dynamodbav:"openid"`
	DistrictID   string `dynamodbav:"DistrictID"`
	DistrictPath string `dynamodbav:"DistrictPath"`
	Level        string `dynamodbav:"Level"`
	Role         string `dynamodbav:"Role,omitempty"`
}

// NewScopeItem is the scope of openid, in role, over district d.
func NewScopeItem(openid, role string, d directory.District) ScopeItem {
	return ScopeItem{
		Keys: dynamo.Keys{PK: dynamo.UserPK(openid), SK: dynamo.SKScope}, GSI1: dynamo.GSI1{PK: dynamo.ScopedPK(d.ID), SK: openid},
		GSI3:   dynamo.GSI3{PK: dynamo.GSIScopes, SK: dynamo.ScopeSK(d.Path, openid)},
		OpenID: openid, DistrictID: d.ID, DistrictPath: d.Path, Level: string(d.Level), Role: role,
	}
}

var _ directory.Scopes = (*Directory)(nil)

// Scope returns the district a staff member or coordinator looks after, or "".
func (d *Directory) Scope(ctx context.Context, openid string) (string, error) {
	it, _, err := dynamo.Get[ScopeItem](ctx, d.DB, d.Table, "get scope", dynamo.UserPK(openid), dynamo.SKScope, false)
	if err != nil {
		return "", err
	}
	return it.DistrictID, nil
}

// SetScope assigns openid the district whose subtree they look after, keeping the role
// they were appointed in (staff when they were not appointed before).
func (d *Directory) SetScope(ctx context.Context, openid, districtID string) error {
	dist, err := d.District(ctx, districtID)
	if err != nil {
		return fmt.Errorf("set scope: %w", err)
	}
	old, _, err := dynamo.Get[ScopeItem](ctx, d.DB, d.Table, "set scope", dynamo.UserPK(openid), dynamo.SKScope, false)
	if err != nil {
		return err
	}
	return dynamo.Put(ctx, d.DB, d.Table, "set scope", NewScopeItem(openid, cmp.Or(old.Role, auth.RoleStaff), dist), expression.ConditionBuilder{})
}

// ScopedTo returns the openids assigned exactly the district (one Query of GSI1).
func (d *Directory) ScopedTo(ctx context.Context, districtID string) ([]string, error) {
	return dynamo.QueryAllAs(ctx, d.DB, d.Table, "staff of district", dynamo.Query{Index: "GSI1", Key: dynamo.Partition("GSI1", dynamo.ScopedPK(districtID), "")}, func(it ScopeItem) string { return it.OpenID })
}

// The e-map's search covers the circle with at most geoMaxCells cells of the finest
// precision between the partition's and geoFinestCell (coarser for wide circles).
const (
	geoFinestCell = 7 // about 150 × 135 m
	geoMaxCells   = 9 // a cell and its eight neighbours
)

// VenuesNear answers q from the geohash index: one Query of GSI2 per covering cell (the
// point's cell and the neighbours the circle reaches), run concurrently, then exact
// distances. It returns q's validation error, or an unavailable error.
func (d *Directory) VenuesNear(ctx context.Context, q directory.Near) ([]directory.VenueDistance, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	venues, err := d.Candidates(ctx, q)
	if err != nil {
		return nil, err
	}
	return q.Select(venues), nil
}

// Candidates returns what VenuesNear reads from the index for q, before the exact
// distance and kind filter: every venue of the cells that cover q's circle. Benchmarks
// and tests use it to measure the items read per query.
func (d *Directory) Candidates(ctx context.Context, q directory.Near) ([]directory.Venue, error) {
	cells := geo.Cover(q.At.Lat, q.At.Lng, float64(q.RadiusMeters), dynamo.GeoPartitionPrecision, geoFinestCell, geoMaxCells)
	return d.venuesInCells(ctx, cells)
}

// nearestRadii are the circles Nearest widens through until it has enough venues.
var nearestRadii = []int{2_000, 10_000, directory.MaxRadius}

// Nearest returns the n venues nearest at within directory.MaxRadius (n is clamped to
// 1..directory.MaxLimit), nearest first. It searches a 2 km circle, then 10 km, then the
// widest: every venue inside a circle is found, so once a circle holds n venues they are
// the nearest n.
func (d *Directory) Nearest(ctx context.Context, at directory.Location, n int) ([]directory.VenueDistance, error) {
	n = max(1, min(directory.MaxLimit, n))
	var out []directory.VenueDistance
	for _, r := range nearestRadii {
		var err error
		out, err = d.VenuesNear(ctx, directory.Near{At: at, RadiusMeters: r, Limit: n})
		if err != nil {
			return nil, fmt.Errorf("nearest venues: %w", err)
		}
		if len(out) == n {
			break
		}
	}
	return out, nil
}

// venuesInCells reads the venues of the given geohash cells (each at least as long as a
// partition's hash), one concurrent Query each.
func (d *Directory) venuesInCells(ctx context.Context, cells []string) ([]directory.Venue, error) {
	results := make([][]venueItem, len(cells))
	errs := make([]error, len(cells))
	var wg sync.WaitGroup
	for i, cell := range cells {
		wg.Go(func() {
			results[i], errs[i] = dynamo.QueryAll[venueItem](ctx, d.DB, d.Table, "venues near", dynamo.Query{Index: "GSI2", Key: dynamo.Partition("GSI2", dynamo.GeoPK(cell), cell)})
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var out []directory.Venue
	for _, items := range results {
		for _, it := range items {
			out = append(out, it.venue())
		}
	}
	return out, nil
}

// DistrictPath returns a district's path in the tree; ok is false when there is none.
func (d *Directory) DistrictPath(ctx context.Context, id string) (string, bool, error) {
	dist, err := d.District(ctx, id)
	if errors.Is(err, directory.ErrDistrictUnknown) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return dist.Path, true, nil
}

// VenueOf returns the name and district of a venue; ok is false when there is none.
func (d *Directory) VenueOf(ctx context.Context, id string) (name, districtID string, ok bool, err error) {
	v, err := d.Venue(ctx, id)
	if errors.Is(err, directory.ErrVenueNotFound) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, err
	}
	return v.Name, v.DistrictID, true, nil
}

// VenueAt returns where a venue is; ok is false when there is none.
func (d *Directory) VenueAt(ctx context.Context, id string) (lat, lng float64, ok bool, err error) {
	v, err := d.Venue(ctx, id)
	if errors.Is(err, directory.ErrVenueNotFound) {
		return 0, 0, false, nil
	}
	if err != nil {
		return 0, 0, false, err
	}
	return v.Location.Lat, v.Location.Lng, true, nil
}

// RootPath returns the path of the district tree's root (the city), "" when the table
// has no districts.
func (d *Directory) RootPath(ctx context.Context) (string, error) {
	items, err := dynamo.QueryAll[districtItem](ctx, d.DB, d.Table, "root district", dynamo.Query{Index: "GSI1", Key: dynamo.Partition("GSI1", dynamo.GSIDistricts, "")})
	if err != nil {
		return "", err
	}
	for _, it := range items {
		if it.ParentID == "" {
			return it.Path, nil
		}
	}
	return "", nil
}
