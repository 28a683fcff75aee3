package volunteerdb_test

import (
	"context"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamo/volunteerdb"
	"github.com/wentitong/wentitong/shared/dynamotest"
	"github.com/wentitong/wentitong/shared/training"
	"github.com/wentitong/wentitong/shared/volunteer"
)

// The stored attributes of volunteers, shifts, courses and attendance are named by the store, not by the
// domain types' fields: renaming a field must not rename stored data. Both read back as
// written.
func TestStoredAttributeNames(t *testing.T) {
	tbl := dynamotest.New(t)
	ctx := context.Background()
	s := &volunteerdb.Volunteers{DB: tbl.DB, Table: tbl.Name}
	at := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	v := volunteer.Volunteer{ID: "v1", OpenID: "o-vol", Name: "张伟", Phone: "13800000000", IDNumberHash: "h", IDNumberKeyID: "k1",
		IDNumberMasked: "4302**********1234", DistrictID: "430223", DistrictPath: "430200/430223", Category: "culture",
		Skills: []string{"摄影"}, Status: "pending", AppliedAt: at, UpdatedAt: at, ReconfirmBy: at.AddDate(1, 0, 0)}
	if err := s.Apply(ctx, v, nil); err != nil {
		t.Fatal(err)
	}
	sh := volunteer.Shift{ID: "s1", Title: "周末导览", VenueID: "v-lib", DistrictID: "430223", DistrictPath: "430200/430223",
		StartsAt: at.Add(24 * time.Hour), EndsAt: at.Add(27 * time.Hour), Capacity: 5, GeofenceMeters: 300,
		VenueLocation: directory.Location{Lat: 27.0, Lng: 113.3}, Scene: "shift:s1", QRURL: "https://example.invalid/qr", CreatedBy: "o-staff", CreatedAt: at}
	if err := s.PutShift(ctx, sh); err != nil {
		t.Fatal(err)
	}
	tbl.WantAttributes(t, dynamo.VolunteerPK(v.ID), dynamo.SKVolunteer,
		"AppliedAt", "Category", "CreditMinutes", "DistrictID", "DistrictPath", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "HonourMinutes",
		"ID", "IDNumberHash", "IDNumberKeyID", "IDNumberMasked", "Inactive", "Name", "OpenID", "PK", "Phone", "ReconfirmBy", "SK",
		"Skills", "Status", "StatusReason", "Team", "UpdatedAt")
	tbl.WantAttributes(t, dynamo.ShiftPK(sh.ID), dynamo.SKShift,
		"Capacity", "Category", "CreatedAt", "CreatedBy", "DistrictID", "DistrictPath", "EndsAt", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK",
		"GeofenceMeters", "ID", "PK", "QRURL", "SK", "Scene", "SignedUp", "StartsAt", "Title", "VenueID", "VenueLocation")
	c := training.Course{ID: "c1", Title: "志愿服务培训", Mode: training.InPerson, DistrictID: "430223", DistrictPath: "430200/430223",
		Date: at, Days: 1, CreatedBy: "o-staff", CreatedAt: at}
	if err := s.PutCourse(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := s.Attend(ctx, training.Attendance{CourseID: c.ID, OpenID: "o-staff-2", Title: c.Title, Mode: c.Mode, Date: c.Date,
		Days: c.Days, RecordedBy: "o-staff", RecordedAt: at}); err != nil {
		t.Fatal(err)
	}
	tbl.WantAttributes(t, dynamo.TrainingPK(c.ID), dynamo.SKTraining,
		"ClassHours", "CreatedAt", "CreatedBy", "Date", "Days", "DistrictID", "DistrictPath", "GSI1PK", "GSI1SK", "ID", "Mode", "PK", "SK", "Title")
	tbl.WantAttributes(t, dynamo.TrainingPK(c.ID), dynamo.AttendeeSK("o-staff-2"),
		"ClassHours", "CourseID", "Date", "Days", "GSI1PK", "GSI1SK", "Mode", "OpenID", "PK", "RecordedAt", "RecordedBy", "SK", "Title")
	gotCourse, err := s.Course(ctx, c.ID)
	if err != nil || gotCourse.Title != c.Title || gotCourse.Mode != c.Mode || !gotCourse.Date.Equal(c.Date) {
		t.Errorf("Course = %+v, %v; want %+v", gotCourse, err, c)
	}
	got, err := s.Volunteer(ctx, v.ID)
	if err != nil || got.Name != v.Name || got.IDNumberKeyID != v.IDNumberKeyID || !got.ReconfirmBy.Equal(v.ReconfirmBy) || got.Status != v.Status {
		t.Errorf("Volunteer = %+v, %v; want %+v", got, err, v)
	}
	gotShift, err := s.Shift(ctx, sh.ID)
	if err != nil || gotShift.VenueLocation != sh.VenueLocation || gotShift.GeofenceMeters != sh.GeofenceMeters || gotShift.Title != sh.Title {
		t.Errorf("Shift = %+v, %v; want %+v", gotShift, err, sh)
	}
}
