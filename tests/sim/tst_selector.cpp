// SPDX-License-Identifier: Apache-2.0
#include "selector.h"
#include "testmain.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace cw::sim;

namespace {

// "a=1,b=" -> {a: "1", b: ""}; keeps label fixtures one line long.
QMap<QString, QString> labelsFrom(const QString &text)
{
    QMap<QString, QString> labels;
    for (const QString &pair : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const qsizetype eq = pair.indexOf(QLatin1Char('='));
        labels.insert(pair.left(eq), pair.mid(eq + 1));
    }
    return labels;
}

QHash<QString, QString> fieldsFrom(const QString &text)
{
    QHash<QString, QString> fields;
    for (const QString &pair : text.split(QLatin1Char(';'), Qt::SkipEmptyParts)) {
        const qsizetype eq = pair.indexOf(QLatin1Char('='));
        fields.insert(pair.left(eq), pair.mid(eq + 1));
    }
    return fields;
}

const QStringList podFieldLabels{QStringLiteral("metadata.name"), QStringLiteral("metadata.namespace"),
                                 QStringLiteral("spec.nodeName"), QStringLiteral("status.phase")};

// The validation messages the apiserver appends (content.IsLabelKey / IsLabelValue / IsDNS1123Subdomain).
const QString keyRegexMessage = QStringLiteral(
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
    "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
const QString valueRegexMessage = QStringLiteral(
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
    "for "
    "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
const QString subdomainMessage =
    QStringLiteral("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
                   "or '.', and must start "
                   "and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
                   "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");

} // namespace

class TestSelectors : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void label_selector_matches_data()
    {
        QTest::addColumn<QString>("selector");
        QTest::addColumn<QString>("labels");
        QTest::addColumn<bool>("matches");

        QTest::newRow("an empty selector matches everything") << ""
                                                              << "a=1" << true;
        QTest::newRow("a blank selector matches everything") << "  \t "
                                                             << "" << true;
        QTest::newRow("equals matches the same value") << "app=web"
                                                       << "app=web,tier=fe" << true;
        QTest::newRow("equals rejects another value") << "app=web"
                                                      << "app=db" << false;
        QTest::newRow("equals rejects a missing label") << "app=web"
                                                        << "tier=fe" << false;
        QTest::newRow("double equals matches the same value") << "app==web"
                                                              << "app=web" << true;
        QTest::newRow("double equals rejects another value") << "app==web"
                                                             << "app=db" << false;
        QTest::newRow("not equals matches another value") << "app!=web"
                                                          << "app=db" << true;
        QTest::newRow("not equals matches a missing label") << "app!=web"
                                                            << "" << true;
        QTest::newRow("not equals rejects the same value") << "app!=web"
                                                           << "app=web" << false;
        QTest::newRow("in matches a listed value") << "env in (prod,staging)"
                                                   << "env=staging" << true;
        QTest::newRow("in rejects an unlisted value") << "env in (prod,staging)"
                                                      << "env=dev" << false;
        QTest::newRow("in rejects a missing label") << "env in (prod)"
                                                    << "" << false;
        QTest::newRow("notin matches an unlisted value") << "env notin (prod)"
                                                         << "env=dev" << true;
        QTest::newRow("notin matches a missing label") << "env notin (prod)"
                                                       << "" << true;
        QTest::newRow("notin rejects a listed value") << "env notin (prod,dev)"
                                                      << "env=dev" << false;
        QTest::newRow("exists matches any value") << "app"
                                                  << "app=" << true;
        QTest::newRow("exists rejects a missing label") << "app"
                                                        << "tier=fe" << false;
        QTest::newRow("does not exist matches a missing label") << "!canary"
                                                                << "app=web" << true;
        QTest::newRow("does not exist rejects a present label") << "!canary"
                                                                << "canary=" << false;
        QTest::newRow("a comma ands all requirements") << "app=web,tier!=db,!canary"
                                                       << "app=web,tier=fe" << true;
        QTest::newRow("a comma fails when one requirement fails") << "app=web,tier=db"
                                                                  << "app=web,tier=fe" << false;
        QTest::newRow("whitespace around tokens is tolerated")
            << "  app = web ,  env  in  ( prod , dev ) , ! canary "
            << "app=web,env=dev" << true;
        QTest::newRow("an empty exact value matches an empty label") << "app="
                                                                     << "app=" << true;
        QTest::newRow("an empty exact value rejects a non-empty label") << "app="
                                                                        << "app=web" << false;
        QTest::newRow("empty parentheses match an empty value") << "app in ()"
                                                                << "app=" << true;
        QTest::newRow("a leading comma in a set adds the empty value") << "app in (,web)"
                                                                       << "app=" << true;
        QTest::newRow("in and notin are plain values inside a set") << "x in (in,notin)"
                                                                    << "x=notin" << true;
        QTest::newRow("a prefixed key matches") << "app.kubernetes.io/name=web"
                                                << "app.kubernetes.io/name=web" << true;
        QTest::newRow("greater than compares integers") << "replicas>2"
                                                        << "replicas=10" << true;
        QTest::newRow("greater than rejects a smaller integer") << "replicas>2"
                                                                << "replicas=2" << false;
        QTest::newRow("less than rejects a non-integer label") << "replicas<5"
                                                               << "replicas=few" << false;
        QTest::newRow("less than rejects a missing label") << "replicas<5"
                                                           << "" << false;
    }

    void label_selector_matches()
    {
        QFETCH(QString, selector);
        QFETCH(QString, labels);
        QFETCH(bool, matches);

        QString error;
        const auto parsed = LabelSelector::parse(selector, &error);
        QVERIFY2(parsed, qPrintable(error));
        QCOMPARE(parsed->matches(labelsFrom(labels)), matches);
    }

    void label_selector_is_empty_only_without_requirements()
    {
        QString error;
        QVERIFY(LabelSelector::parse(QString(), &error)->isEmpty());
        QVERIFY(LabelSelector::parse(QStringLiteral(" "), &error)->isEmpty());
        QVERIFY(!LabelSelector::parse(QStringLiteral("a"), &error)->isEmpty());
    }

    void label_selector_rejects_bad_syntax_data()
    {
        QTest::addColumn<QString>("selector");
        QTest::addColumn<QString>("error");

        QTest::newRow("a set without parentheses")
            << "env in prod"
            << "unable to parse requirement: found 'prod' expected: '('";
        QTest::newRow("an operator without a value set")
            << "env in"
            << "unable to parse requirement: found '' expected: '('";
        QTest::newRow("an unclosed value set")
            << "env in (prod"
            << "unable to parse requirement: found '', expected: ',' or ')'";
        QTest::newRow("two values without a comma")
            << "env in (a b)"
            << "unable to parse requirement: found 'b', expected: ',' or ')'";
        QTest::newRow("a set that starts with an operator")
            << "env in (=)"
            << "unable to parse requirement: found '=', expected: ',', ')' or identifier";
        QTest::newRow("a key followed by another word")
            << "app web"
            << "unable to parse requirement: found 'web', expected: in, notin, =, ==, !=, gt, lt";
        QTest::newRow("an exact match against a parenthesis")
            << "app=(web)"
            << "unable to parse requirement: found '(', expected: identifier";
        QTest::newRow("a trailing comma") << "app=web,"
                                          << "found '', expected: identifier after ','";
        QTest::newRow("two commas") << "app=web,,tier=fe"
                                    << "found ',', expected: identifier after ','";
        QTest::newRow("a selector that starts with an operator")
            << "=web"
            << "found '=', expected: !, identifier, or 'end of string'";
        QTest::newRow("does not exist with a value") << "!app=web"
                                                     << "found '=', expected: ',' or 'end of string'";
        QTest::newRow("a bang without a key")
            << "!"
            << "unable to parse requirement: found '', expected: identifier";
        QTest::newRow("a key that starts with a dash")
            << "-app=web"
            << QStringLiteral("unable to parse requirement: <nil>: Invalid value: \"-app\": name part ") +
                   keyRegexMessage;
        QTest::newRow("a key with two slashes")
            << "a/b/c"
            << QStringLiteral("unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a valid label "
                              "key ") +
                   keyRegexMessage +
                   QStringLiteral(" with an optional DNS subdomain prefix and '/' (e.g. "
                                  "'example.com/MyName')");
        QTest::newRow("an uppercase key prefix")
            << "Example.com/app"
            << QStringLiteral("unable to parse requirement: <nil>: Invalid value: "
                              "\"Example.com/app\": prefix part ") +
                   subdomainMessage;
        QTest::newRow("an empty key prefix")
            << "/app"
            << "unable to parse requirement: <nil>: Invalid value: \"/app\": prefix part must be non-empty";
        QTest::newRow("a key name longer than 63 bytes")
            << QString(64, QLatin1Char('k')) + QStringLiteral("=v")
            << QStringLiteral("unable to parse requirement: <nil>: Invalid value: \"") +
                   QString(64, QLatin1Char('k')) +
                   QStringLiteral("\": name part must be no more than 63 bytes");
        QTest::newRow("a value longer than 63 bytes")
            << QStringLiteral("app=") + QString(64, QLatin1Char('v'))
            << QStringLiteral("unable to parse requirement: values[0][app]: Invalid value: \"") +
                   QString(64, QLatin1Char('v')) + QStringLiteral("\": must be no more than 63 bytes");
        QTest::newRow("a value that starts with a dash")
            << "app=-web"
            << QStringLiteral("unable to parse requirement: values[0][app]: Invalid value: \"-web\": ") +
                   valueRegexMessage;
        QTest::newRow("two bad values in a set are both reported, in sorted order")
            << "app in (z-,-a)"
            << QStringLiteral("unable to parse requirement: [values[0][app]: Invalid value: \"-a\": ") +
                   valueRegexMessage + QStringLiteral(", values[1][app]: Invalid value: \"z-\": ") +
                   valueRegexMessage + QLatin1Char(']');
        QTest::newRow("greater than with a word")
            << "replicas>many"
            << "unable to parse requirement: values[0]: Invalid value: \"many\": for 'Gt', 'Lt' "
               "operators, the value must be an integer";
    }

    void label_selector_rejects_bad_syntax()
    {
        QFETCH(QString, selector);
        QFETCH(QString, error);

        QString actual;
        QVERIFY(!LabelSelector::parse(selector, &actual));
        QCOMPARE(actual, error);
    }

    void label_selector_prints_requirements_sorted_by_key_data()
    {
        QTest::addColumn<QString>("selector");
        QTest::addColumn<QString>("canonical");

        QTest::newRow("keys are sorted") << "tier=fe, app=web"
                                         << "app=web,tier=fe";
        QTest::newRow("set values are sorted and deduplicated") << "env in (b,a,b)"
                                                                << "env in (a,b)";
        QTest::newRow("every operator keeps its spelling") << "a==1,b!=2,c notin (x),d,!e,f>3,g<4"
                                                           << "a==1,b!=2,c notin (x),d,!e,f>3,g<4";
    }

    void label_selector_prints_requirements_sorted_by_key()
    {
        QFETCH(QString, selector);
        QFETCH(QString, canonical);

        QString error;
        const auto parsed = LabelSelector::parse(selector, &error);
        QVERIFY2(parsed, qPrintable(error));
        QCOMPARE(parsed->toString(), canonical);
    }

    void label_selector_reads_metav1_label_selectors_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("labels");
        QTest::addColumn<bool>("matches");
        QTest::addColumn<QString>("canonical");

        QTest::newRow("match labels become equality requirements")
            << QByteArray(R"({"matchLabels":{"tier":"fe","app":"web"}})") << "app=web,tier=fe" << true
            << "app=web,tier=fe";
        QTest::newRow("match expressions use the four operators")
            << QByteArray(R"({"matchExpressions":[{"key":"env","operator":"In","values":["prod","dev"]},
                             {"key":"canary","operator":"DoesNotExist"},{"key":"app","operator":"Exists"},
                             {"key":"tier","operator":"NotIn","values":["db"]}]})")
            << "app=web,env=dev" << true << "app,!canary,env in (dev,prod),tier notin (db)";
        QTest::newRow("an empty selector selects everything") << QByteArray("{}") << "app=web" << true << "";
        QTest::newRow("a null selector selects nothing") << QByteArray("null") << "" << false << "";
    }

    void label_selector_reads_metav1_label_selectors()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, labels);
        QFETCH(bool, matches);
        QFETCH(QString, canonical);

        const QJsonValue value = QJsonDocument::fromJson("[" + json + "]").array().at(0);
        QString error;
        const auto selector = LabelSelector::fromJson(value, &error);
        QVERIFY2(selector, qPrintable(error));
        QCOMPARE(selector->matches(labelsFrom(labels)), matches);
        QCOMPARE(selector->toString(), canonical);
    }

    void label_selector_rejects_unknown_expression_operators()
    {
        const QJsonObject selector =
            QJsonDocument::fromJson(R"({"matchExpressions":[{"key":"a","operator":"Like","values":["x"]}]})")
                .object();
        QString error;
        QVERIFY(!LabelSelector::fromJson(selector, &error));
        QCOMPARE(error, QStringLiteral("\"Like\" is not a valid label selector operator"));
    }

    void field_selector_matches_data()
    {
        QTest::addColumn<QString>("selector");
        QTest::addColumn<QString>("fields");
        QTest::addColumn<bool>("matches");

        QTest::newRow("an empty selector matches everything") << ""
                                                              << "status.phase=Running" << true;
        QTest::newRow("only commas match everything") << ",,"
                                                      << "status.phase=Running" << true;
        QTest::newRow("equals matches the same value") << "status.phase=Running"
                                                       << "status.phase=Running" << true;
        QTest::newRow("equals rejects another value") << "status.phase=Running"
                                                      << "status.phase=Pending" << false;
        QTest::newRow("double equals matches the same value") << "status.phase==Running"
                                                              << "status.phase=Running" << true;
        QTest::newRow("not equals matches another value") << "status.phase!=Running"
                                                          << "status.phase=Pending" << true;
        QTest::newRow("not equals rejects the same value") << "status.phase!=Running"
                                                           << "status.phase=Running" << false;
        QTest::newRow("a missing field compares as empty") << "spec.nodeName="
                                                           << "status.phase=Pending" << true;
        QTest::newRow("not equals empty rejects a missing field") << "spec.nodeName!="
                                                                  << "" << false;
        QTest::newRow("a comma ands all terms") << "metadata.namespace=default,status.phase!=Failed"
                                                << "metadata.namespace=default;status.phase=Running" << true;
        QTest::newRow("a comma fails when one term fails")
            << "metadata.namespace=default,status.phase!=Failed"
            << "metadata.namespace=default;status.phase=Failed" << false;
        QTest::newRow("an escaped comma belongs to the value") << "metadata.name=a\\,b"
                                                               << "metadata.name=a,b" << true;
        QTest::newRow("an escaped equals sign belongs to the value") << "metadata.name=a\\=b"
                                                                     << "metadata.name=a=b" << true;
        QTest::newRow("an escaped backslash belongs to the value") << "metadata.name=a\\\\b"
                                                                   << "metadata.name=a\\b" << true;
    }

    void field_selector_matches()
    {
        QFETCH(QString, selector);
        QFETCH(QString, fields);
        QFETCH(bool, matches);

        QString error;
        const auto parsed = FieldSelector::parse(selector, podFieldLabels, &error);
        QVERIFY2(parsed, qPrintable(error));
        QCOMPARE(parsed->matches(fieldsFrom(fields)), matches);
        QCOMPARE(parsed->isEmpty(), selector.count(QLatin1Char('=')) == 0);
    }

    void field_selector_rejects_bad_terms_data()
    {
        QTest::addColumn<QString>("selector");
        QTest::addColumn<QString>("error");

        QTest::newRow("an unsupported label") << "spec.foo=bar"
                                              << "field label not supported: spec.foo";
        QTest::newRow("the first unsupported label in sorted order is named")
            << "z.z=1,status.phase=Running,b.b=2"
            << "field label not supported: b.b";
        QTest::newRow("whitespace is part of the label") << "status.phase = Running"
                                                         << "field label not supported: status.phase ";
        QTest::newRow("a term without an operator")
            << "status.phase=Running,metadata.name"
            << "invalid selector: 'status.phase=Running,metadata.name'; can't understand 'metadata.name'";
        QTest::newRow("an unescaped equals sign in a value")
            << "metadata.name==a=b"
            << "invalid field selector: unescaped character in value: 61";
        QTest::newRow("an unknown escape sequence") << "metadata.name=a\\b"
                                                    << "invalid field selector: invalid escape sequence: \\b";
        QTest::newRow("a trailing backslash") << "metadata.name=a\\"
                                              << "invalid field selector: invalid escape sequence: \\";
    }

    void field_selector_rejects_bad_terms()
    {
        QFETCH(QString, selector);
        QFETCH(QString, error);

        QString actual;
        QVERIFY(!FieldSelector::parse(selector, podFieldLabels, &actual));
        QCOMPARE(actual, error);
    }

    void field_selector_pins_exact_values_data()
    {
        QTest::addColumn<QString>("selector");
        QTest::addColumn<QString>("label");
        QTest::addColumn<bool>("pinned");
        QTest::addColumn<QString>("value");

        QTest::newRow("equals pins the value") << "metadata.name=web-0"
                                               << "metadata.name" << true << "web-0";
        QTest::newRow("double equals pins the value") << "metadata.namespace==prod"
                                                      << "metadata.namespace" << true << "prod";
        QTest::newRow("not equals pins nothing") << "metadata.name!=web-0"
                                                 << "metadata.name" << false << "";
        QTest::newRow("another label pins nothing") << "status.phase=Running"
                                                    << "metadata.name" << false << "";
        QTest::newRow("an escaped value is pinned unescaped") << "status.phase=Running,metadata.name=a\\,b"
                                                              << "metadata.name" << true << "a,b";
    }

    void field_selector_pins_exact_values()
    {
        QFETCH(QString, selector);
        QFETCH(QString, label);
        QFETCH(bool, pinned);
        QFETCH(QString, value);

        QString error;
        const auto parsed = FieldSelector::parse(selector, podFieldLabels, &error);
        QVERIFY2(parsed, qPrintable(error));
        const auto actual = parsed->pinned(label);
        QCOMPARE(actual.has_value(), pinned);
        if (pinned)
            QCOMPARE(*actual, value);
    }
};

CW_TEST(TestSelectors)
#include "tst_selector.moc"
