// SPDX-License-Identifier: Apache-2.0
#include "discovery.h"

#include "resources.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace cw::sim {

namespace {

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

const QJsonArray &verbs()
{
    static const QJsonArray v{QStringLiteral("create"), QStringLiteral("delete"), QStringLiteral("deletecollection"),
                              QStringLiteral("get"),    QStringLiteral("list"),   QStringLiteral("patch"),
                              QStringLiteral("update"), QStringLiteral("watch")};
    return v;
}

QStringList groups()
{
    QStringList out;
    for (const ResourceType *t : servedResources()) {
        if (!t->group.isEmpty() && !out.contains(t->group))
            out << t->group;
    }
    return out;
}

QJsonObject groupEntry(const QString &group)
{
    const QJsonObject version{{QStringLiteral("groupVersion"), QString(group + QStringLiteral("/v1"))},
                              {QStringLiteral("version"), QStringLiteral("v1")}};
    return QJsonObject{{QStringLiteral("name"), group},
                       {QStringLiteral("versions"), QJsonArray{version}},
                       {QStringLiteral("preferredVersion"), version}};
}

QString storageHash(const ResourceType *t)
{
    return QString::fromLatin1(
        QCryptographicHash::hash(t->groupResource().toUtf8(), QCryptographicHash::Sha256).toBase64().left(11));
}

} // namespace

QByteArray versionDocument()
{
    return compact(QJsonObject{{QStringLiteral("major"), QStringLiteral("1")},
                               {QStringLiteral("minor"), QStringLiteral("34")},
                               {QStringLiteral("gitVersion"), QStringLiteral("v1.34.0-clusterwatch-sim")},
                               {QStringLiteral("gitCommit"), QStringLiteral("0000000000000000000000000000000000000000")},
                               {QStringLiteral("gitTreeState"), QStringLiteral("clean")},
                               {QStringLiteral("buildDate"), QStringLiteral("2026-11-01T00:00:00Z")},
                               {QStringLiteral("goVersion"), QStringLiteral("go1.24.0")},
                               {QStringLiteral("compiler"), QStringLiteral("gc")},
                               {QStringLiteral("platform"), QStringLiteral("linux/amd64")}});
}

QByteArray coreVersionsDocument()
{
    return compact(QJsonObject{
        {QStringLiteral("kind"), QStringLiteral("APIVersions")},
        {QStringLiteral("versions"), QJsonArray{QStringLiteral("v1")}},
        {QStringLiteral("serverAddressByClientCIDRs"),
         QJsonArray{QJsonObject{{QStringLiteral("clientCIDR"), QStringLiteral("0.0.0.0/0")},
                                {QStringLiteral("serverAddress"), QStringLiteral("127.0.0.1:6443")}}}}});
}

QByteArray groupListDocument()
{
    QJsonArray list;
    for (const QString &g : groups())
        list.append(groupEntry(g));
    return compact(QJsonObject{{QStringLiteral("kind"), QStringLiteral("APIGroupList")},
                               {QStringLiteral("apiVersion"), QStringLiteral("v1")},
                               {QStringLiteral("groups"), list}});
}

QByteArray groupDocument(const QString &group)
{
    if (!groups().contains(group))
        return {};
    QJsonObject doc = groupEntry(group);
    doc.insert(QStringLiteral("kind"), QStringLiteral("APIGroup"));
    doc.insert(QStringLiteral("apiVersion"), QStringLiteral("v1"));
    return compact(doc);
}

QByteArray resourceListDocument(const QString &group, const QString &version)
{
    QJsonArray resources;
    for (const ResourceType *t : servedResources()) {
        if (t->group != group || t->version != version)
            continue;
        QJsonObject r{{QStringLiteral("name"), t->plural},
                      {QStringLiteral("singularName"), t->singular},
                      {QStringLiteral("namespaced"), t->namespaced},
                      {QStringLiteral("kind"), t->kind},
                      {QStringLiteral("verbs"), verbs()},
                      {QStringLiteral("storageVersionHash"), storageHash(t)}};
        if (!t->shortNames.isEmpty())
            r.insert(QStringLiteral("shortNames"), QJsonArray::fromStringList(t->shortNames));
        if (!t->categories.isEmpty())
            r.insert(QStringLiteral("categories"), QJsonArray::fromStringList(t->categories));
        resources.append(r);
    }
    if (resources.isEmpty())
        return {};
    QJsonObject doc{{QStringLiteral("kind"), QStringLiteral("APIResourceList")},
                    {QStringLiteral("groupVersion"), group.isEmpty() ? version : QString(group + QLatin1Char('/') + version)},
                    {QStringLiteral("resources"), resources}};
    // The core list is served without apiVersion for backward compatibility (protocol doc §5).
    if (!group.isEmpty())
        doc.insert(QStringLiteral("apiVersion"), QStringLiteral("v1"));
    return compact(doc);
}

QByteArray aggregatedDocument(bool core)
{
    QJsonArray items;
    const QStringList names = core ? QStringList{QString()} : groups();
    for (const QString &group : names) {
        QJsonArray resources;
        for (const ResourceType *t : servedResources()) {
            if (t->group != group)
                continue;
            QJsonObject r{{QStringLiteral("resource"), t->plural},
                          {QStringLiteral("responseKind"),
                           QJsonObject{{QStringLiteral("group"), t->group},
                                       {QStringLiteral("version"), t->version},
                                       {QStringLiteral("kind"), t->kind}}},
                          {QStringLiteral("scope"), t->namespaced ? QStringLiteral("Namespaced") : QStringLiteral("Cluster")},
                          {QStringLiteral("singularResource"), t->singular},
                          {QStringLiteral("verbs"), verbs()}};
            if (!t->shortNames.isEmpty())
                r.insert(QStringLiteral("shortNames"), QJsonArray::fromStringList(t->shortNames));
            if (!t->categories.isEmpty())
                r.insert(QStringLiteral("categories"), QJsonArray::fromStringList(t->categories));
            resources.append(r);
        }
        items.append(QJsonObject{
            {QStringLiteral("metadata"), QJsonObject{{QStringLiteral("name"), group}}},
            {QStringLiteral("versions"),
             QJsonArray{QJsonObject{{QStringLiteral("version"), QStringLiteral("v1")},
                                    {QStringLiteral("resources"), resources},
                                    {QStringLiteral("freshness"), QStringLiteral("Current")}}}}});
    }
    return compact(QJsonObject{{QStringLiteral("kind"), QStringLiteral("APIGroupDiscoveryList")},
                               {QStringLiteral("apiVersion"), QStringLiteral("apidiscovery.k8s.io/v2")},
                               {QStringLiteral("metadata"), QJsonObject()},
                               {QStringLiteral("items"), items}});
}

} // namespace cw::sim
