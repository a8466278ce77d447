// SPDX-License-Identifier: Apache-2.0
#include "watchtypes.h"

namespace cw::watch {

QString ResourceSpec::id() const
{
    QString id = api.groupResource();
    if (!ns.isEmpty())
        id += QLatin1Char('@') + ns;
    // Selectors last, so that ids of one resource sort together.
    QChar separator = QLatin1Char('?');
    if (!labelSelector.isEmpty()) {
        id += separator + QLatin1StringView("l=") + labelSelector;
        separator = QLatin1Char('&');
    }
    if (!fieldSelector.isEmpty())
        id += separator + QLatin1StringView("f=") + fieldSelector;
    return id;
}

QString streamStateName(StreamState state)
{
    switch (state) {
    case StreamState::Connecting:
        return QStringLiteral("connecting");
    case StreamState::Listing:
        return QStringLiteral("listing");
    case StreamState::Live:
        return QStringLiteral("live");
    case StreamState::Backoff:
        return QStringLiteral("backoff");
    case StreamState::Stalled:
        return QStringLiteral("stalled");
    case StreamState::Offline:
        return QStringLiteral("offline");
    case StreamState::Failed:
        return QStringLiteral("failed");
    case StreamState::Stopped:
        return QStringLiteral("stopped");
    }
    return QStringLiteral("unknown");
}

} // namespace cw::watch
