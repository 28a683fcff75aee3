// Command assessment is the AssessmentFunction Lambda: third-party evaluators' grants,
// their de-identified exports and the log of their reads.
package main

import (
	"github.com/wentitong/wentitong/shared/app/assessmentapp"
	"github.com/wentitong/wentitong/shared/app/boot"
)

func main() { boot.StartHTTP(assessmentapp.Router) }
