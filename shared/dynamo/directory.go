package dynamo

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/geo"
)

// Directory stores districts and venues.
type Directory struct {
	DB    *dynamodb.Client
	Table string
}

type districtItem struct {
	PK     string `dynamodbav:"PK"`
	SK     string `dynamodbav:"SK"`
	GSI1PK string `dynamodbav:"GSI1PK"`
	GSI1SK string `dynamodbav:"GSI1SK"`
	directory.District
}

type venueItem struct {
	PK     string `dynamodbav:"PK"`
	SK     string `dynamodbav:"SK"`
	GSI1PK string `dynamodbav:"GSI1PK"`
	GSI1SK string `dynamodbav:"GSI1SK"`
	GSI2PK string `dynamodbav:"GSI2PK"`
	GSI2SK string `dynamodbav:"GSI2SK"`
	directory.Venue
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
	return Put(ctx, d.DB, d.Table, "put district", districtItem{
		PK: DistrictPK(dist.ID), SK: SKDistrict, GSI1PK: GSIDistricts, GSI1SK: dist.Path, District: dist,
	}, expression.ConditionBuilder{})
}

// CreateDistrict writes a new district after validating it; it returns
// directory.ErrDistrictExists when its id is taken.
func (d *Directory) CreateDistrict(ctx context.Context, dist directory.District) error {
	if err := dist.Validate(); err != nil {
		return err
	}
	err := Put(ctx, d.DB, d.Table, "create district", districtItem{
		PK: DistrictPK(dist.ID), SK: SKDistrict, GSI1PK: GSIDistricts, GSI1SK: dist.Path, District: dist,
	}, expression.AttributeNotExists(expression.Name("PK")))
	if errors.Is(err, ErrConditionFailed) {
		return directory.ErrDistrictExists
	}
	return err
}

// RenameDistrict sets the name of an existing district; it returns
// directory.ErrDistrictUnknown when there is none.
func (d *Directory) RenameDistrict(ctx context.Context, id, name string) error {
	upd := expression.Set(expression.Name("Name"), expression.Value(name))
	expr, err := expression.NewBuilder().WithUpdate(upd).
		WithCondition(expression.AttributeExists(expression.Name("PK"))).Build()
	if err != nil {
		return fmt.Errorf("rename district: %w", err)
	}
	_, err = d.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(d.Table),
		Key: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: DistrictPK(id)},
			"SK": &types.AttributeValueMemberS{Value: SKDistrict},
		},
		UpdateExpression:          expr.Update(),
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	})
	if err = FormatError("rename district", err); errors.Is(err, ErrConditionFailed) {
		return directory.ErrDistrictUnknown
	}
	return err
}

// District returns one district, or directory.ErrDistrictUnknown.
func (d *Directory) District(ctx context.Context, id string) (directory.District, error) {
	it, _, err := Get[districtItem](ctx, d.DB, d.Table, "get district", DistrictPK(id), SKDistrict, false)
	if err != nil {
		return directory.District{}, err
	}
	if it.PK == "" {
		return directory.District{}, directory.ErrDistrictUnknown
	}
	return it.District, nil
}

// Districts returns the whole tree in path order (parents before children) with one
// paginated Query of GSI1.
func (d *Directory) Districts(ctx context.Context) ([]directory.District, error) {
	items, err := QueryAll[districtItem](ctx, d.DB, d.Table, "list districts", Query{Index: "GSI1", Key: Partition("GSI1", GSIDistricts, "")})
	if err != nil {
		return nil, err
	}
	return Convert(items, func(it districtItem) directory.District { return it.District }), nil
}

// PutVenue writes a venue after validating it, replacing any with its id (the demo
// data's seeding); its district must exist.
func (d *Directory) PutVenue(ctx context.Context, v directory.Venue) error {
	return d.putVenue(ctx, "put venue", v, expression.ConditionBuilder{})
}

// CreateVenue writes a new venue after validating it; it returns
// directory.ErrDistrictUnknown for an unknown district and directory.ErrVenueExists when
// the id is taken.
func (d *Directory) CreateVenue(ctx context.Context, v directory.Venue) error {
	cond := expression.AttributeNotExists(expression.Name("PK"))
	err := d.putVenue(ctx, "create venue", v, cond)
	if errors.Is(err, ErrConditionFailed) {
		return directory.ErrVenueExists
	}
	return err
}

// UpdateVenue replaces an existing venue (its index keys follow its district and
// location); it returns directory.ErrVenueNotFound when there is none.
func (d *Directory) UpdateVenue(ctx context.Context, v directory.Venue) error {
	cond := expression.AttributeExists(expression.Name("PK"))
	err := d.putVenue(ctx, "update venue", v, cond)
	if errors.Is(err, ErrConditionFailed) {
		return directory.ErrVenueNotFound
	}
	return err
}

func (d *Directory) putVenue(ctx context.Context, op string, v directory.Venue, cond expression.ConditionBuilder) error {
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
	hash := geo.Encode(v.Location.Lat, v.Location.Lng, GeoSortPrecision)
	item := venueItem{
		PK: VenuePK(v.ID), SK: SKVenue, GSI1PK: GSIVenues, GSI1SK: dist.Path + "#" + v.ID,
		GSI2PK: GeoPK(hash), GSI2SK: GeoSK(hash, v.ID), Venue: v,
	}
	return Put(ctx, d.DB, d.Table, op, item, cond)
}

// Venue returns one venue, or directory.ErrVenueNotFound.
func (d *Directory) Venue(ctx context.Context, id string) (directory.Venue, error) {
	it, _, err := Get[venueItem](ctx, d.DB, d.Table, "get venue", VenuePK(id), SKVenue, false)
	if err != nil {
		return directory.Venue{}, err
	}
	if it.PK == "" {
		return directory.Venue{}, directory.ErrVenueNotFound
	}
	return it.Venue, nil
}

// VenuesUnder returns the venues of a district's whole subtree (all venues for the city).
func (d *Directory) VenuesUnder(ctx context.Context, dist directory.District) ([]directory.Venue, error) {
	items, err := QueryAll[venueItem](ctx, d.DB, d.Table, "list venues", Query{Index: "GSI1", Key: Partition("GSI1", GSIVenues, dist.Path)})
	if err != nil {
		return nil, err
	}
	return Convert(items, func(it venueItem) directory.Venue { return it.Venue }), nil
}

// scopeItem is the district a staff member or coordinator looks after (USER#<openid> /
// SCOPE), written whole by both ways of appointing someone (the directory's scope route
// and the volunteers' appointments): listed on GSI1 under the district (SCOPED#<id>) and
// on GSI3 by the district's path (SCOPES / <path>#<openid>).
type scopeItem struct {
	PK           string `dynamodbav:"PK"`
	SK           string `dynamodbav:"SK"`
	GSI1PK       string `dynamodbav:"GSI1PK"`
	GSI1SK       string `dynamodbav:"GSI1SK"`
	GSI3PK       string `dynamodbav:"GSI3PK"`
	GSI3SK       string `dynamodbav:"GSI3SK"`
	OpenID       string `dynamodbav:"openid"`
	DistrictID   string `dynamodbav:"DistrictID"`
	DistrictPath string `dynamodbav:"DistrictPath"`
	Level        string `dynamodbav:"Level"`
	Role         string `dynamodbav:"Role,omitempty"`
}

// newScopeItem is the scope of openid, in role, over district d.
func newScopeItem(openid, role string, d directory.District) scopeItem {
	return scopeItem{
		PK: UserPK(openid), SK: SKScope, GSI1PK: ScopedPK(d.ID), GSI1SK: openid,
		GSI3PK: GSIScopes, GSI3SK: ScopeSK(d.Path, openid),
		OpenID: openid, DistrictID: d.ID, DistrictPath: d.Path, Level: string(d.Level), Role: role,
	}
}

var _ directory.Scopes = (*Directory)(nil)

// Scope returns the district a staff member or coordinator looks after, or "".
func (d *Directory) Scope(ctx context.Context, openid string) (string, error) {
	it, _, err := Get[scopeItem](ctx, d.DB, d.Table, "get scope", UserPK(openid), SKScope, false)
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
	old, _, err := Get[scopeItem](ctx, d.DB, d.Table, "set scope", UserPK(openid), SKScope, false)
	if err != nil {
		return err
	}
	return Put(ctx, d.DB, d.Table, "set scope", newScopeItem(openid, cmp.Or(old.Role, auth.RoleStaff), dist), expression.ConditionBuilder{})
}

// ScopedTo returns the openids assigned exactly the district (one Query of GSI1).
func (d *Directory) ScopedTo(ctx context.Context, districtID string) ([]string, error) {
	items, err := QueryAll[scopeItem](ctx, d.DB, d.Table, "staff of district", Query{Index: "GSI1", Key: Partition("GSI1", ScopedPK(districtID), "")})
	if err != nil {
		return nil, err
	}
	return Convert(items, func(it scopeItem) string { return it.OpenID }), nil
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
	cells := geo.Cover(q.At.Lat, q.At.Lng, float64(q.RadiusMeters), GeoPartitionPrecision, geoFinestCell, geoMaxCells)
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
			results[i], errs[i] = QueryAll[venueItem](ctx, d.DB, d.Table, "venues near", Query{Index: "GSI2", Key: Partition("GSI2", GeoPK(cell), cell)})
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var out []directory.Venue
	for _, items := range results {
		for _, it := range items {
			out = append(out, it.Venue)
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
