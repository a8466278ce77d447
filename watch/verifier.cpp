// SPDX-License-Identifier: Apache-2.0
#include "verifier.h"

#include "apiclient.h"
#include "informer.h"
#include "listwatchhttp.h"

#include <QHash>

namespace cw::watch {

namespace {
// Enough keys of each kind to start looking; the counts say how many there are.
constexpr int MaxExamples = 3;
// A ListMeta is a few hundred bytes at the start of the body; a head this long without one never ends it.
constexpr qint64 MaxPeekBytes = 64 * 1024;
} // namespace

Verifier::Verifier(ApiClient *client, Informer *informer, int pageSize, QObject *parent)
    : QObject(parent), m_client(client), m_informer(informer), m_spec(informer->spec()), m_pageSize(pageSize)
{
    m_result.stream = informer->stream();
}

Verifier::~Verifier()
{
    for (QNetworkReply *reply : {m_reply.data(), m_next.data()}) {
        if (reply) {
            reply->disconnect(this);
            reply->abort();
            delete reply;
        }
    }
}

void Verifier::start()
{
    requestPage();
}

QNetworkReply *Verifier::get(const QString &continueToken, StreamError *error)
{
    // Page 1 without a resourceVersion: a consistent read of the newest state, whatever the store saw.
    cmd::StartList page;
    page.continueToken = continueToken;
    page.limit = m_restarts >= 2 ? 0 : m_pageSize; // a second expired token: unpaginated, nothing to expire
    return m_client->get(collectionPath(m_spec), listQuery(m_spec, page), "application/json", error);
}

void Verifier::requestPage()
{
    if (adoptNext())
        return;
    StreamError error;
    m_reply = get(m_continue, &error);
    if (!m_reply) {
        finish(error);
        return;
    }
    m_peeked = false;
    connect(m_reply, &QNetworkReply::readyRead, this, &Verifier::prefetchNext);
    connect(m_reply, &QNetworkReply::finished, this, &Verifier::pageFinished);
}

void Verifier::prefetchNext()
{
    if (m_peeked || m_next || !m_reply || m_restarts >= 2 || m_pageSize <= 0)
        return;
    const int status = httpStatus(m_reply);
    if (status == 0)
        return; // no answer yet
    if (status != 200) {
        m_peeked = true;
        return;
    }
    const ContinuePeek peek = peekContinueToken(m_reply->peek(MaxPeekBytes));
    if (peek.result == ContinuePeek::Result::NeedMore && m_reply->bytesAvailable() < MaxPeekBytes)
        return;
    m_peeked = true;
    if (peek.result != ContinuePeek::Result::Token)
        return;
    m_next = get(peek.token);
    if (!m_next)
        return;
    m_nextToken = peek.token;
    m_nextFinished = false;
    connect(m_next, &QNetworkReply::finished, this, [this] { m_nextFinished = true; });
}

bool Verifier::adoptNext()
{
    if (!m_next)
        return false;
    if (m_nextToken != m_continue || m_continue.isEmpty()) {
        dropNext();
        return false;
    }
    m_reply = std::exchange(m_next, nullptr);
    m_reply->disconnect(this);
    m_peeked = false;
    connect(m_reply, &QNetworkReply::readyRead, this, &Verifier::prefetchNext);
    if (m_nextFinished) {
        prefetchNext();
        QMetaObject::invokeMethod(this, &Verifier::pageFinished, Qt::QueuedConnection);
    } else {
        connect(m_reply, &QNetworkReply::finished, this, &Verifier::pageFinished);
        if (m_reply->bytesAvailable() > 0)
            prefetchNext();
    }
    return true;
}

void Verifier::dropNext()
{
    if (QNetworkReply *next = std::exchange(m_next, nullptr)) {
        next->disconnect(this);
        next->abort();
        next->deleteLater();
    }
}

void Verifier::pageFinished()
{
    if (m_reply->error() == QNetworkReply::NoError)
        prefetchNext(); // still worth it: the server makes the next page while this one is decoded
    QNetworkReply *reply = m_reply;
    m_reply = nullptr;
    reply->deleteLater();
    const int status = httpStatus(reply);
    const QByteArray body = reply->readAll();
    if (status == 0 || (status == 200 && reply->error() != QNetworkReply::NoError)) {
        finish(StreamError{StreamError::Kind::Network, 0, QString(), networkErrorText(reply->error())});
        return;
    }
    if (status != 200) {
        const HttpFailure f = readHttpFailure(reply, status, body);
        if (status == 410 && !m_continue.isEmpty()) {
            // The continue token outlived its snapshot: only a list from page 1 is consistent.
            ++m_restarts;
            m_continue.clear();
            m_items.clear();
            requestPage();
            return;
        }
        finish(httpStreamError(f));
        return;
    }
    ListPageResult decoded = decodeListPage(body);
    if (const auto *bad = std::get_if<DecodeError>(&decoded)) {
        finish(StreamError{StreamError::Kind::Protocol, 200, QStringLiteral("DecodeError"), bad->message});
        return;
    }
    ListPage &page = std::get<ListPage>(decoded);
    if (m_continue.isEmpty())
        m_result.listedResourceVersion = page.resourceVersion;
    m_items.append(std::move(page.items));
    m_continue = page.continueToken;
    if (!m_continue.isEmpty()) {
        requestPage();
        return;
    }
    finish(std::nullopt);
}

void Verifier::finish(std::optional<StreamError> error)
{
    if (m_done)
        return;
    m_done = true;
    dropNext();
    m_result.error = std::move(error);
    if (!m_result.error && !m_informer)
        m_result.error =
            StreamError{StreamError::Kind::Config, 0, QString(), QStringLiteral("the stream has ended")};
    if (!m_result.error) {
        const ObjectStore &store = m_informer->store();
        QHash<QString, const ObjectRecord *> listed;
        listed.reserve(m_items.size());
        QStringList missing, stale, extra;
        for (const ObjectRecord &item : std::as_const(m_items)) {
            const QString key = ObjectStore::keyOf(item);
            listed.insert(key, &item);
            const ObjectRef known = store.find(item);
            if (!known) {
                ++m_result.missing;
                missing.append(key);
            } else if (known->uid != item.uid || known->resourceVersion != item.resourceVersion) {
                ++m_result.stale;
                stale.append(key);
            }
        }
        for (const ObjectRef &object : store.snapshot()) {
            const QString key = ObjectStore::keyOf(*object);
            if (!listed.contains(key)) {
                ++m_result.extra;
                extra.append(key);
            }
        }
        for (QStringList *keys : {&missing, &extra, &stale}) {
            keys->sort();
            m_result.examples.append(keys->mid(0, MaxExamples));
        }
    }
    emit done(m_result);
}

} // namespace cw::watch
