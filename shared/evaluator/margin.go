package evaluator

import "math"

// Z95 is the normal quantile of a two-sided 95% confidence interval.
const Z95 = 1.959964

// MarginMethod says, beside every survey result, how its margins of error are
// computed (docs/decisions.md).
const MarginMethod = "误差范围为 95% 置信区间的半宽（z = 1.96）。均值：1.96 × √((1 − n/N) × s² / n)；满意比例：" +
	"1.96 × √((1 − n/N) × p(1 − p) / (n − 1))，其中 n 为回答人数、N 为该区划近期到场居民总数（有限总体校正），" +
	"s² 为样本方差。合计按各区划到场人数加权（分层抽样）：方差为各层 (N_h/N)² 乘以该层方差之和。" +
	"误差范围只计抽样误差，不含未回答带来的偏差；回答不足 2 人时无法估计。"

// Estimate is a figure estimated from a sample with its margin of error at 95%
// (MarginMethod); Margin is nil when it cannot be estimated (fewer than two answers).
type Estimate struct {
	Value  float64  `json:"value"`
	Margin *float64 `json:"margin"`
}

// Low and High are the ends of the 95% interval (the value itself without a margin).
func (e Estimate) Low() float64 {
	if e.Margin == nil {
		return e.Value
	}
	return e.Value - *e.Margin
}

// High is the interval's upper end.
func (e Estimate) High() float64 {
	if e.Margin == nil {
		return e.Value
	}
	return e.Value + *e.Margin
}

// stratum is one stratum's sample of a figure: its frame's size N, the answers' count
// n, their mean and the variance of the mean's estimator (with the finite population
// correction); variance is NaN when n < 2.
type stratum struct {
	N, n     int
	mean     float64
	variance float64
}

// meanOf is the stratum of values (1–5 scores) drawn from a frame of N.
func meanOf(values []float64, N int) stratum {
	st := stratum{N: N, n: len(values), variance: math.NaN()}
	if st.n == 0 {
		return st
	}
	for _, v := range values {
		st.mean += v
	}
	st.mean /= float64(st.n)
	if st.n < 2 {
		return st
	}
	var ss float64
	for _, v := range values {
		ss += (v - st.mean) * (v - st.mean)
	}
	s2 := ss / float64(st.n-1)
	st.variance = fpc(st.n, N) * s2 / float64(st.n)
	return st
}

// proportionOf is the stratum of a proportion: k of n answers, drawn from a frame of N.
// Its variance is p(1−p)/(n−1) with the correction (Cochran, Sampling Techniques, 3.5).
func proportionOf(k, n, N int) stratum {
	st := stratum{N: N, n: n, variance: math.NaN()}
	if n == 0 {
		return st
	}
	p := float64(k) / float64(n)
	st.mean = p
	if n >= 2 {
		st.variance = fpc(n, N) * p * (1 - p) / float64(n-1)
	}
	return st
}

// fpc is the finite population correction 1 − n/N (0 once the whole frame answered).
func fpc(n, N int) float64 {
	if N <= 0 || n >= N {
		return 0
	}
	return 1 - float64(n)/float64(N)
}

// estimate is a stratum's figure scaled by scale (100 for a percentage), rounded to one
// decimal, with its margin.
func (st stratum) estimate(scale float64) Estimate {
	e := Estimate{Value: round1(st.mean * scale)}
	if !math.IsNaN(st.variance) {
		m := round1(Z95 * math.Sqrt(st.variance) * scale)
		e.Margin = &m
	}
	return e
}

// combined is the stratified estimate over strata: the mean weighted by the frames'
// sizes, its variance Σ (N_h/N)² V_h. A stratum whose frame is empty does not count;
// the estimate is nil when any other stratum has no answers, and has no margin when
// any lacks a variance.
func combined(strata []stratum) *stratum {
	total := 0
	for _, st := range strata {
		total += st.N
	}
	if total == 0 {
		return nil
	}
	out := stratum{N: total}
	for _, st := range strata {
		if st.N == 0 {
			continue
		}
		if st.n == 0 {
			return nil
		}
		w := float64(st.N) / float64(total)
		out.n += st.n
		out.mean += w * st.mean
		out.variance += w * w * st.variance // NaN spreads: no margin
	}
	return &out
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }
