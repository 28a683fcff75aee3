package teamdb

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/team"
)

// Teams stores the amateur team directory.
type Teams struct {
	DB    *dynamodb.Client
	Table string
}

var _ team.Store = (*Teams)(nil)

// teamItem is a team.Team in the table. Its attributes are named here, not by the domain
// type, so that renaming a field there changes no stored data.
type teamItem struct {
	dynamo.Keys
	dynamo.GSI1
	ID               string       `dynamodbav:"ID"`
	Name             string       `dynamodbav:"Name"`
	Category         string       `dynamodbav:"Category"`
	DistrictID       string       `dynamodbav:"DistrictID"`
	DistrictPath     string       `dynamodbav:"DistrictPath"`
	Leader           leaderAttr   `dynamodbav:"Leader"`
	MemberCount      int          `dynamodbav:"MemberCount"`
	RehearsalVenueID string       `dynamodbav:"RehearsalVenueID"`
	Description      string       `dynamodbav:"Description"`
	Status           string       `dynamodbav:"Status"`
	Stars            int          `dynamodbav:"Stars"`
	RatedAt          time.Time    `dynamodbav:"RatedAt"`
	NextReviewAt     time.Time    `dynamodbav:"NextReviewAt"`
	History          []ratingAttr `dynamodbav:"History"`
	CreatedAt        time.Time    `dynamodbav:"CreatedAt"`
	ApprovedAt       time.Time    `dynamodbav:"ApprovedAt"`
	Version          int          `dynamodbav:"Version"`
}

// leaderAttr is a team.Leader in an item.
type leaderAttr struct {
	OpenID string `dynamodbav:"OpenID"`
	Name   string `dynamodbav:"Name"`
	Phone  string `dynamodbav:"Phone"`
}

// ratingAttr is a team.Rating in an item's history.
type ratingAttr struct {
	At     time.Time      `dynamodbav:"At"`
	Stars  int            `dynamodbav:"Stars"`
	Total  int            `dynamodbav:"Total"`
	Scores map[string]int `dynamodbav:"Scores"`
	Change string         `dynamodbav:"Change"`
	By     string         `dynamodbav:"By"`
}

func newTeamItem(t team.Team) teamItem {
	it := teamItem{Keys: dynamo.Keys{PK: dynamo.TeamPK(t.ID), SK: dynamo.SKTeam}, GSI1: dynamo.GSI1{PK: dynamo.GSITeams, SK: t.DistrictPath + "#" + t.ID},
		ID: t.ID, Name: t.Name, Category: t.Category, DistrictID: t.DistrictID, DistrictPath: t.DistrictPath,
		Leader:      leaderAttr{OpenID: t.Leader.OpenID, Name: t.Leader.Name, Phone: t.Leader.Phone},
		MemberCount: t.MemberCount, RehearsalVenueID: t.RehearsalVenueID, Description: t.Description, Status: t.Status,
		Stars: t.Stars, RatedAt: t.RatedAt, NextReviewAt: t.NextReviewAt, CreatedAt: t.CreatedAt, ApprovedAt: t.ApprovedAt, Version: t.Version}
	// An empty list comes back from the embedded engine as another attribute's value:
	// store none (NULL) and read it back as empty.
	for _, r := range t.History {
		it.History = append(it.History, ratingAttr{At: r.At, Stars: r.Stars, Total: r.Total, Scores: r.Scores, Change: r.Change, By: r.By})
	}
	return it
}

type teamCountItem struct {
	Approved int `dynamodbav:"Approved"`
	S1       int `dynamodbav:"S1"`
	S2       int `dynamodbav:"S2"`
	S3       int `dynamodbav:"S3"`
	S4       int `dynamodbav:"S4"`
	S5       int `dynamodbav:"S5"`
}

// Create writes a new team (attribute_not_exists).
func (s *Teams) Create(ctx context.Context, t team.Team) error {
	return dynamo.Put(ctx, s.DB, s.Table, "create team", newTeamItem(t), expression.AttributeNotExists(expression.Name("PK")))
}

// Team returns one team, or team.ErrTeamNotFound.
func (s *Teams) Team(ctx context.Context, id string) (team.Team, error) {
	return dynamo.OneAs(ctx, s.DB, s.Table, "get team", dynamo.TeamPK(id), dynamo.SKTeam, false, team.ErrTeamNotFound, teamItem.team)
}

func (it teamItem) team() team.Team {
	t := team.Team{ID: it.ID, Name: it.Name, Category: it.Category, DistrictID: it.DistrictID, DistrictPath: it.DistrictPath,
		Leader:      team.Leader{OpenID: it.Leader.OpenID, Name: it.Leader.Name, Phone: it.Leader.Phone},
		MemberCount: it.MemberCount, RehearsalVenueID: it.RehearsalVenueID, Description: it.Description, Status: it.Status,
		Stars: it.Stars, RatedAt: it.RatedAt, NextReviewAt: it.NextReviewAt, History: []team.Rating{},
		CreatedAt: it.CreatedAt, ApprovedAt: it.ApprovedAt, Version: it.Version}
	for _, r := range it.History {
		t.History = append(t.History, team.Rating{At: r.At, Stars: r.Stars, Total: r.Total, Scores: r.Scores, Change: r.Change, By: r.By})
	}
	return t
}

// Under returns the teams of a district's subtree (Query GSI1 TEAMS, begins_with path).
func (s *Teams) Under(ctx context.Context, path string) ([]team.Team, error) {
	items, err := dynamo.QueryAll[teamItem](ctx, s.DB, s.Table, "list teams", dynamo.Query{Index: "GSI1", Key: dynamo.Partition("GSI1", dynamo.GSITeams, path)})
	if err != nil {
		return nil, err
	}
	out := make([]team.Team, 0, len(items))
	for _, it := range items {
		// begins_with "430211" also matches "4302110…"; keep the subtree only.
		if it.DistrictPath == path || strings.HasPrefix(it.DistrictPath, path+"/") {
			out = append(out, it.team())
		}
	}
	return out, nil
}

// Approve saves the approved team, if unchanged since before, and adds it to the
// approved count of every district of its path: one TransactWriteItems.
func (s *Teams) Approve(ctx context.Context, before, after team.Team) error {
	upd := expression.Add(expression.Name("Approved"), expression.Value(1))
	return s.save(ctx, "approve team", before, after, &upd)
}

// SaveRating saves the re-rated team, if unchanged since before, and moves it from its
// old star count to the new one in every district of its path: one TransactWriteItems.
func (s *Teams) SaveRating(ctx context.Context, before, after team.Team) error {
	if before.Stars == after.Stars {
		return s.save(ctx, "rate team", before, after, nil)
	}
	upd := expression.Add(expression.Name("S"+strconv.Itoa(after.Stars)), expression.Value(1))
	if before.Stars > 0 {
		upd = upd.Add(expression.Name("S"+strconv.Itoa(before.Stars)), expression.Value(-1))
	}
	return s.save(ctx, "rate team", before, after, &upd)
}

// save puts after on condition that the stored team is at before.Version, and applies
// count (when not nil) to the count item of every district of its path.
func (s *Teams) save(ctx context.Context, op string, before, after team.Team, count *expression.UpdateBuilder) error {
	var tx dynamo.Tx
	tx.Put(newTeamItem(after), expression.Name("Version").Equal(expression.Value(before.Version)), team.ErrTeamChanged)
	if count != nil {
		for _, id := range strings.Split(after.DistrictPath, "/") {
			tx.Update(dynamo.TeamCountPK(id), dynamo.SKTeamCount, *count, expression.ConditionBuilder{}, nil)
		}
	}
	return dynamo.Transact(ctx, s.DB, s.Table, op, &tx)
}

// Counts returns the approved teams of a district's subtree by stars (GetItem).
func (s *Teams) Counts(ctx context.Context, districtID string) (team.Counts, error) {
	it, _, err := dynamo.Get[teamCountItem](ctx, s.DB, s.Table, "get team counts", dynamo.TeamCountPK(districtID), dynamo.SKTeamCount, false)
	if err != nil {
		return team.Counts{}, err
	}
	return team.Counts{Approved: it.Approved, Stars: [5]int{it.S1, it.S2, it.S3, it.S4, it.S5}}, nil
}
