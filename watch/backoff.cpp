// SPDX-License-Identifier: Apache-2.0
#include "backoff.h"

#include <algorithm>
#include <cmath>

namespace cw::watch {

qint64 Random::between(qint64 low, qint64 highExclusive)
{
    if (highExclusive <= low)
        return low;
    const auto span = double(highExclusive - low);
    // unit() < 1, so the floor stays below highExclusive.
    return low + qint64(std::floor(unit() * span));
}

qint64 Backoff::next(qint64 nowMs)
{
    // A clock that went backwards (tests, or a buggy injected clock) must not count as a quiet period.
    if (m_lastFailureMs && nowMs - *m_lastFailureMs >= m_config.quietResetMs)
        reset();
    m_lastFailureMs = nowMs;
    ++m_failures;

    const qint64 base = std::min(m_baseMs, m_config.capMs);
    const double grown = double(m_baseMs) * m_config.factor;
    m_baseMs = grown >= double(m_config.capMs) ? m_config.capMs : std::max<qint64>(1, qint64(grown));

    if (m_config.jitter <= 0.0)
        return base;
    return base + qint64(std::floor(double(base) * m_config.jitter * m_random.unit()));
}

void Backoff::reset()
{
    m_baseMs = m_config.initialMs;
    m_failures = 0;
    m_lastFailureMs.reset();
}

} // namespace cw::watch
