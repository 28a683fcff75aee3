package volunteerdb

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/training"
)

// The training store is part of Volunteers: the same bounded context and function.
var _ training.Store = (*Volunteers)(nil)

// courseItem is a training.Course in the table, its attributes named here (not by the
// domain type, so that renaming a field there changes no stored data).
type courseItem struct {
	dynamo.Keys
	dynamo.GSI1
	ID           string    `dynamodbav:"ID"`
	Title        string    `dynamodbav:"Title"`
	Mode         string    `dynamodbav:"Mode"`
	DistrictID   string    `dynamodbav:"DistrictID"`
	DistrictPath string    `dynamodbav:"DistrictPath"`
	Date         time.Time `dynamodbav:"Date"`
	Days         float64   `dynamodbav:"Days"`
	ClassHours   float64   `dynamodbav:"ClassHours"`
	CreatedBy    string    `dynamodbav:"CreatedBy"`
	CreatedAt    time.Time `dynamodbav:"CreatedAt"`
}

// attendanceItem is a training.Attendance in the table.
type attendanceItem struct {
	dynamo.Keys
	dynamo.GSI1
	CourseID   string    `dynamodbav:"CourseID"`
	OpenID     string    `dynamodbav:"OpenID"`
	Title      string    `dynamodbav:"Title"`
	Mode       string    `dynamodbav:"Mode"`
	Date       time.Time `dynamodbav:"Date"`
	Days       float64   `dynamodbav:"Days"`
	ClassHours float64   `dynamodbav:"ClassHours"`
	RecordedBy string    `dynamodbav:"RecordedBy"`
	RecordedAt time.Time `dynamodbav:"RecordedAt"`
}

func (it attendanceItem) attendance() training.Attendance {
	return training.Attendance{CourseID: it.CourseID, OpenID: it.OpenID, Title: it.Title, Mode: training.Mode(it.Mode), Date: it.Date,
		Days: it.Days, ClassHours: it.ClassHours, RecordedBy: it.RecordedBy, RecordedAt: it.RecordedAt}
}

type trainingTotalsItem struct {
	PK          string  `dynamodbav:"PK"`
	OpenID      string  `dynamodbav:"openid"`
	Days        float64 `dynamodbav:"Days"`
	RemoteHours float64 `dynamodbav:"RemoteHours"`
}

// PutCourse writes a new course.
func (s *Volunteers) PutCourse(ctx context.Context, c training.Course) error {
	return dynamo.Put(ctx, s.DB, s.Table, "put course", courseItem{
		Keys: dynamo.Keys{PK: dynamo.TrainingPK(c.ID), SK: dynamo.SKTraining}, GSI1: dynamo.GSI1{PK: dynamo.GSITrainings, SK: dynamo.TimeKey(c.Date) + "#" + c.ID},
		ID: c.ID, Title: c.Title, Mode: string(c.Mode), DistrictID: c.DistrictID, DistrictPath: c.DistrictPath, Date: c.Date,
		Days: c.Days, ClassHours: c.ClassHours, CreatedBy: c.CreatedBy, CreatedAt: c.CreatedAt,
	}, expression.AttributeNotExists(expression.Name("PK")))
}

// Course reads one course.
func (s *Volunteers) Course(ctx context.Context, id string) (training.Course, error) {
	it, err := dynamo.One[courseItem](ctx, s.DB, s.Table, "get course", dynamo.TrainingPK(id), dynamo.SKTraining, true, training.ErrCourseNotFound)
	return training.Course{ID: it.ID, Title: it.Title, Mode: training.Mode(it.Mode), DistrictID: it.DistrictID,
		DistrictPath: it.DistrictPath, Date: it.Date, Days: it.Days, ClassHours: it.ClassHours, CreatedBy: it.CreatedBy,
		CreatedAt: it.CreatedAt}, err
}

// Attend puts the attendance (once) and adds it to the year's totals, in one
// transaction.
func (s *Volunteers) Attend(ctx context.Context, a training.Attendance) error {
	var tx dynamo.Tx
	tx.Put(attendanceItem{
		Keys:     dynamo.Keys{PK: dynamo.TrainingPK(a.CourseID), SK: dynamo.AttendeeSK(a.OpenID)},
		GSI1:     dynamo.GSI1{PK: dynamo.TrainedPK(a.OpenID), SK: dynamo.TimeKey(a.Date) + "#" + a.CourseID},
		CourseID: a.CourseID, OpenID: a.OpenID, Title: a.Title, Mode: string(a.Mode), Date: a.Date, Days: a.Days,
		ClassHours: a.ClassHours, RecordedBy: a.RecordedBy, RecordedAt: a.RecordedAt,
	}, expression.AttributeNotExists(expression.Name("PK")), training.ErrAlreadyRecorded)
	tx.Update(dynamo.UserPK(a.OpenID), dynamo.TrainingTotalsSK(a.Date.In(beijing.Zone).Year()),
		expression.Add(expression.Name("Days"), expression.Value(a.Days)).
			Add(expression.Name("RemoteHours"), expression.Value(a.ClassHours)).
			Set(expression.Name("openid"), expression.Value(a.OpenID)),
		expression.ConditionBuilder{}, nil)
	return dynamo.Transact(ctx, s.DB, s.Table, "record attendance", &tx)
}

// Attendances lists a person's attendance from GSI1, by date.
func (s *Volunteers) Attendances(ctx context.Context, openid string) ([]training.Attendance, error) {
	return dynamo.QueryAllAs(ctx, s.DB, s.Table, "list attendance", dynamo.Query{Index: "GSI1", Key: dynamo.Partition("GSI1", dynamo.TrainedPK(openid), "")}, attendanceItem.attendance)
}

// TrainingTotals reads the year's totals of many people with BatchGetItem.
func (s *Volunteers) TrainingTotals(ctx context.Context, openids []string, year int) (map[string]training.Totals, error) {
	keys := dynamo.Convert(openids, func(id string) dynamo.Item { return dynamo.Key(dynamo.UserPK(id), dynamo.TrainingTotalsSK(year)) })
	items, err := dynamo.BatchGetAll[trainingTotalsItem](ctx, s.DB, s.Table, "training totals", keys, false)
	if err != nil {
		return nil, err
	}
	out := map[string]training.Totals{}
	for _, it := range items {
		out[it.OpenID] = training.Totals{Days: it.Days, RemoteHours: it.RemoteHours}
	}
	return out, nil
}
