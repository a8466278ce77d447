// SPDX-License-Identifier: Apache-2.0
#include "pki.h"

#include <QFile>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace cw::sim::pki {

namespace {

template <auto FreeFunction> struct Free
{
    template <typename T> void operator()(T *p) const { FreeFunction(p); }
};
using BioPtr = std::unique_ptr<BIO, Free<BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, Free<BN_free>>;
using CertPtr = std::unique_ptr<X509, Free<X509_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, Free<X509_EXTENSION_free>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Free<EVP_PKEY_free>>;
using StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, Free<X509_STORE_CTX_free>>;
using StorePtr = std::unique_ptr<X509_STORE, Free<X509_STORE_free>>;

// Long enough that a sim left running never sees its certificates expire.
constexpr int validityDays = 365;
// Covers clock skew between the sim and a client (or a container) that runs slightly behind.
constexpr long backdateSeconds = 60 * 60;

enum class Profile
{
    Ca,
    Server,
    Client
};

struct Subject
{
    QString commonName;
    QStringList organizations;
};

std::nullopt_t fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return std::nullopt;
}

// Appends OpenSSL's reason for the last failure and empties its error queue: a stale entry would make
// the next SSL_get_error() in Qt's TLS code report a failure that did not happen.
QString withOpensslReason(const QString &message)
{
    const unsigned long code = ERR_peek_last_error();
    const char *reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
    ERR_clear_error();
    if (!reason)
        return message;
    return message + QStringLiteral(" (") + QLatin1String(reason) + QLatin1Char(')');
}

KeyPtr newKey()
{
    return KeyPtr(EVP_EC_gen("P-256"));
}

// Ed25519/Ed448 CAs sign without a separate digest; everything else uses SHA-256.
const EVP_MD *digestFor(EVP_PKEY *signingKey)
{
    if (EVP_PKEY_is_a(signingKey, "ED25519") || EVP_PKEY_is_a(signingKey, "ED448"))
        return nullptr;
    return EVP_sha256();
}

bool addNameEntry(X509_NAME *name, int nid, const QString &value)
{
    const QByteArray utf8 = value.toUtf8();
    return X509_NAME_add_entry_by_NID(name, nid, MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char *>(utf8.data()), int(utf8.size()),
                                      -1, 0) == 1;
}

bool addExtension(X509 *cert, X509V3_CTX *context, int nid, const char *value)
{
    const ExtensionPtr extension(X509V3_EXT_nconf_nid(nullptr, context, nid, value));
    return extension && X509_add_ext(cert, extension.get(), -1) == 1;
}

bool addExtensions(X509 *cert, X509 *issuer, Profile profile)
{
    X509V3_CTX context{};
    X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
    // Subject key id first: the self-signed CA is its own issuer when the authority key id is derived.
    if (!addExtension(cert, &context, NID_subject_key_identifier, "hash"))
        return false;
    if (profile == Profile::Ca) {
        // Critical basic constraints and key usage on the CA: strict verifiers (Python 3.13, Go) insist.
        return addExtension(cert, &context, NID_basic_constraints, "critical,CA:TRUE") &&
               addExtension(cert, &context, NID_key_usage, "critical,digitalSignature,keyCertSign,cRLSign");
    }
    const bool common = addExtension(cert, &context, NID_authority_key_identifier, "keyid:always") &&
                        addExtension(cert, &context, NID_basic_constraints, "critical,CA:FALSE") &&
                        addExtension(cert, &context, NID_key_usage, "critical,digitalSignature");
    if (!common)
        return false;
    if (profile == Profile::Client)
        return addExtension(cert, &context, NID_ext_key_usage, "clientAuth");
    // Clients match the host against SANs only (Go ignores CN), so every address we listen on is listed.
    return addExtension(cert, &context, NID_ext_key_usage, "serverAuth") &&
           addExtension(cert, &context, NID_subject_alt_name, "IP:127.0.0.1,IP:::1,DNS:localhost");
}

// A certificate for key; self-signed when issuer is null.
CertPtr makeCertificate(const Subject &subject, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuerKey,
                        Profile profile)
{
    CertPtr cert(X509_new());
    if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1)
        return {};
    // 127 random bits with the top one set: positive and non-zero, as RFC 5280 and Go require.
    const BignumPtr serial(BN_new());
    if (!serial || BN_rand(serial.get(), 127, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) != 1 ||
        !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())))
        return {};

    X509_NAME *name = X509_get_subject_name(cert.get());
    for (const QString &organization : subject.organizations) {
        if (!organization.isEmpty() && !addNameEntry(name, NID_organizationName, organization))
            return {};
    }
    if (!addNameEntry(name, NID_commonName, subject.commonName))
        return {};
    X509 *signer = issuer ? issuer : cert.get();
    if (X509_set_issuer_name(cert.get(), X509_get_subject_name(signer)) != 1 ||
        X509_set_pubkey(cert.get(), key) != 1)
        return {};

    if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), -backdateSeconds) ||
        !X509_time_adj_ex(X509_getm_notAfter(cert.get()), validityDays, 0, nullptr))
        return {};
    // Never outlive the CA: some verifiers reject a certificate valid beyond its issuer.
    if (issuer && ASN1_TIME_compare(X509_get0_notAfter(cert.get()), X509_get0_notAfter(issuer)) > 0 &&
        X509_set1_notAfter(cert.get(), X509_get0_notAfter(issuer)) != 1)
        return {};

    EVP_PKEY *signingKey = issuerKey ? issuerKey : key;
    if (!addExtensions(cert.get(), signer, profile) ||
        X509_sign(cert.get(), signingKey, digestFor(signingKey)) <= 0)
        return {};
    return cert;
}

QByteArray bioContents(BIO *bio)
{
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return size > 0 ? QByteArray(data, qsizetype(size)) : QByteArray();
}

QByteArray certToPem(X509 *cert)
{
    const BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1)
        return {};
    return bioContents(bio.get());
}

// PKCS#8, unencrypted: the form Go, Python, curl and Qt all read.
QByteArray keyToPem(EVP_PKEY *key)
{
    const BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
        return {};
    return bioContents(bio.get());
}

// Without this callback OpenSSL would prompt on the terminal for the pass phrase of an encrypted key.
int refusePassphrase(char *, int, int, void *)
{
    return -1;
}

CertPtr certFromPem(const QByteArray &pem)
{
    const BioPtr bio(BIO_new_mem_buf(pem.constData(), int(pem.size())));
    return CertPtr(bio ? PEM_read_bio_X509(bio.get(), nullptr, refusePassphrase, nullptr) : nullptr);
}

KeyPtr keyFromPem(const QByteArray &pem)
{
    const BioPtr bio(BIO_new_mem_buf(pem.constData(), int(pem.size())));
    return KeyPtr(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, refusePassphrase, nullptr) : nullptr);
}

std::optional<Pki> withServerCert(X509 *ca, EVP_PKEY *caKey, QString *error)
{
    const KeyPtr key = newKey();
    if (!key)
        return fail(error, withOpensslReason(QStringLiteral("could not generate the server key")));
    const CertPtr cert = makeCertificate({QStringLiteral("clusterwatch-sim-server"), {}}, key.get(), ca,
                                         caKey, Profile::Server);
    if (!cert)
        return fail(error, withOpensslReason(QStringLiteral("could not issue the server certificate")));
    Pki pki{certToPem(ca), keyToPem(caKey), certToPem(cert.get()), keyToPem(key.get())};
    if (pki.caCertPem.isEmpty() || pki.caKeyPem.isEmpty() || pki.serverCertPem.isEmpty() ||
        pki.serverKeyPem.isEmpty())
        return fail(error, withOpensslReason(QStringLiteral("could not encode the certificates as PEM")));
    return pki;
}

std::optional<QByteArray> readFile(const QString &path, const QString &what, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        fail(error, QStringLiteral("cannot read %1 %2: %3").arg(what, path, file.errorString()));
        return std::nullopt;
    }
    return file.readAll();
}

// Every value of one attribute (CN, O, ...) in a name, in certificate order.
QStringList nameEntries(const X509_NAME *name, int nid)
{
    QStringList values;
    for (int i = X509_NAME_get_index_by_NID(name, nid, -1); i >= 0;
         i = X509_NAME_get_index_by_NID(name, nid, i)) {
        unsigned char *utf8 = nullptr;
        const int length = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
        if (length >= 0)
            values << QString::fromUtf8(reinterpret_cast<const char *>(utf8), length);
        OPENSSL_free(utf8);
    }
    return values;
}

} // namespace

std::optional<Pki> generate(QString *error)
{
    const KeyPtr caKey = newKey();
    if (!caKey)
        return fail(error, withOpensslReason(QStringLiteral("could not generate the CA key")));
    const CertPtr ca = makeCertificate({QStringLiteral("clusterwatch-sim-ca"), {}}, caKey.get(), nullptr,
                                       nullptr, Profile::Ca);
    if (!ca)
        return fail(error, withOpensslReason(QStringLiteral("could not create the CA certificate")));
    return withServerCert(ca.get(), caKey.get(), error);
}

std::optional<Pki> fromCaFiles(const QString &certPath, const QString &keyPath, QString *error)
{
    const std::optional<QByteArray> certPem =
        readFile(certPath, QStringLiteral("CA certificate file"), error);
    if (!certPem)
        return std::nullopt;
    const std::optional<QByteArray> keyPem = readFile(keyPath, QStringLiteral("CA key file"), error);
    if (!keyPem)
        return std::nullopt;

    const CertPtr ca = certFromPem(*certPem);
    if (!ca) {
        const QString message = QStringLiteral("CA certificate file %1 does not contain a PEM certificate");
        return fail(error, withOpensslReason(message.arg(certPath)));
    }
    const KeyPtr caKey = keyFromPem(*keyPem);
    if (!caKey) {
        const QString message =
            QStringLiteral("CA key file %1 does not contain an unencrypted PEM private key");
        return fail(error, withOpensslReason(message.arg(keyPath)));
    }
    if (X509_check_ca(ca.get()) == 0)
        return fail(error, QStringLiteral("certificate in %1 is not a CA certificate").arg(certPath));
    if (X509_check_private_key(ca.get(), caKey.get()) != 1) {
        const QString message = QStringLiteral("CA key file %1 does not belong to the certificate in %2");
        return fail(error, withOpensslReason(message.arg(keyPath, certPath)));
    }
    if (X509_cmp_current_time(X509_get0_notAfter(ca.get())) < 0)
        return fail(error, QStringLiteral("CA certificate in %1 has expired").arg(certPath));
    return withServerCert(ca.get(), caKey.get(), error);
}

std::optional<IssuedCert> issueClientCert(const Pki &pki, const QString &user, const QStringList &groups,
                                          QString *error)
{
    // kube-apiserver refuses a client certificate without CN, so issuing one would only defer the failure.
    if (user.isEmpty())
        return fail(error, QStringLiteral("a client certificate needs a user name"));
    const CertPtr ca = certFromPem(pki.caCertPem);
    const KeyPtr caKey = keyFromPem(pki.caKeyPem);
    if (!ca || !caKey)
        return fail(error, withOpensslReason(QStringLiteral("the CA certificate or key cannot be parsed")));
    const KeyPtr key = newKey();
    if (!key)
        return fail(error, withOpensslReason(QStringLiteral("could not generate a client key")));
    const CertPtr cert = makeCertificate({user, groups}, key.get(), ca.get(), caKey.get(), Profile::Client);
    if (!cert) {
        return fail(error, withOpensslReason(
                               QStringLiteral("could not issue a client certificate for %1").arg(user)));
    }
    IssuedCert issued{certToPem(cert.get()), keyToPem(key.get())};
    if (issued.certPem.isEmpty() || issued.keyPem.isEmpty())
        return fail(error,
                    withOpensslReason(QStringLiteral("could not encode the client certificate as PEM")));
    return issued;
}

std::optional<ClientIdentity> verifyClientCert(const Pki &pki, const QByteArray &certDer)
{
    const auto *der = reinterpret_cast<const unsigned char *>(certDer.constData());
    const CertPtr cert(d2i_X509(nullptr, &der, long(certDer.size())));
    const CertPtr ca = certFromPem(pki.caCertPem);
    const StorePtr store(X509_STORE_new());
    const StoreCtxPtr context(X509_STORE_CTX_new());
    const bool trusted =
        cert && ca && store && context &&
        X509_STORE_add_cert(store.get(), ca.get()) == 1
        // Any configured CA is a trust anchor, even an intermediate one, as in kube-apiserver's client CA
        // pool.
        && X509_STORE_set_flags(store.get(), X509_V_FLAG_PARTIAL_CHAIN) == 1 &&
        X509_STORE_CTX_init(context.get(), store.get(), cert.get(), nullptr) == 1
        // kube-apiserver only accepts certificates whose extended key usage allows clientAuth.
        && X509_STORE_CTX_set_purpose(context.get(), X509_PURPOSE_SSL_CLIENT) == 1 &&
        X509_verify_cert(context.get()) == 1;
    ERR_clear_error();
    if (!trusted)
        return std::nullopt;

    const X509_NAME *subject = X509_get_subject_name(cert.get());
    const QStringList commonNames = nameEntries(subject, NID_commonName);
    // Go reads the last CN when there are several; the user must not be empty.
    if (commonNames.isEmpty() || commonNames.constLast().isEmpty())
        return std::nullopt;
    return ClientIdentity{commonNames.constLast(), nameEntries(subject, NID_organizationName)};
}

QSslConfiguration serverConfiguration(const Pki &pki)
{
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setLocalCertificate(QSslCertificate(pki.serverCertPem, QSsl::Pem));
    config.setPrivateKey(QSslKey(pki.serverKeyPem, QSsl::Ec, QSsl::Pem, QSsl::PrivateKey));
    // Only our CA: no system roots get loaded, and any client CA list sent names the CA our clients use.
    config.setCaCertificates({QSslCertificate(pki.caCertPem, QSsl::Pem)});
    // Ask for a client certificate but let token and anonymous clients in; verifyClientCert decides later.
    config.setPeerVerifyMode(QSslSocket::QueryPeer);
    config.setProtocol(QSsl::TlsV1_2OrLater);
    // No ALPN: kubectl and curl offer h2 first, and the sim speaks HTTP/1.1 only.
    config.setAllowedNextProtocols({});
    return config;
}

} // namespace cw::sim::pki
