package sim

import (
	"math"
	"slices"
)

func mean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

// excessKurtosis is m4/m2² − 3 (0 for a normal distribution).
func excessKurtosis(x []float64) float64 {
	m := mean(x)
	var m2, m4 float64
	for _, v := range x {
		d := (v - m) * (v - m)
		m2 += d
		m4 += d * d
	}
	n := float64(len(x))
	m2, m4 = m2/n, m4/n
	return m4/(m2*m2) - 3
}

// acf is the sample autocorrelation of x at lag k.
func acf(x []float64, k int) float64 {
	m := mean(x)
	var num, den float64
	for i, v := range x {
		den += (v - m) * (v - m)
		if i >= k {
			num += (v - m) * (x[i-k] - m)
		}
	}
	return num / den
}

func abs(x []float64) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = math.Abs(v)
	}
	return out
}

func quantile(x []float64, q float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	return s[min(int(q*float64(len(s))), len(s)-1)]
}

// acfSE is the heteroskedasticity-robust standard error of acf(x, k)
// under the null of no autocorrelation: sqrt(Σ d_t² d_{t−k}²) / Σ d_t²
// with d the demeaned series. For i.i.d. data it is about 1/sqrt(N);
// heavy tails and volatility clustering make it larger.
func acfSE(x []float64, k int) float64 {
	m := mean(x)
	var num, den float64
	for i, v := range x {
		den += (v - m) * (v - m)
		if i >= k {
			p := (v - m) * (x[i-k] - m)
			num += p * p
		}
	}
	return math.Sqrt(num) / den
}
