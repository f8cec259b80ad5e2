/* certs.h: three throwaway certificates (ECDSA P-256, CN=proxy.spncheck.test,
 * signed with SHA-256, SHA-384 and SHA-1) and the RFC 4121 MD5 of their
 * tls-server-end-point channel bindings, computed independently with
 * python3 hashlib + cryptography (not with spn_cbt.c). */
#ifndef CERTS_H
#define CERTS_H
static const char CERT_SHA256[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBkDCCATegAwIBAgIUEpQpTsjoqvFgEY2kgHNxFNNdeDkwCgYIKoZIzj0EAwIw\n"
    "HjEcMBoGA1UEAwwTcHJveHkuc3BuY2hlY2sudGVzdDAeFw0yNjExMjUxMzE3Mjda\n"
    "Fw0zNjExMjIxMzE3MjdaMB4xHDAaBgNVBAMME3Byb3h5LnNwbmNoZWNrLnRlc3Qw\n"
    "WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAATHD0ajj/iROal9K3PO7Sj5cGlkNS/A\n"
    "dZ548iii3WWWIVmzyL6v0lO7mvLYUQHg7nGxTFVwclExzXgrikJZOiHKo1MwUTAd\n"
    "BgNVHQ4EFgQUtW9awXilMRym7DB9JlfRta/bFn4wHwYDVR0jBBgwFoAUtW9awXil\n"
    "MRym7DB9JlfRta/bFn4wDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBE\n"
    "AiA2GJ5RuDASzFtQsUaDP+Op+3HJr7h+h7qbw8HaWOC7mQIgGMwcZy5Saepkxu90\n"
    "rOP8a4vH5jimttTiRr0c+2oza6Y=\n"
    "-----END CERTIFICATE-----\n"
    ;
static const char CERT_SHA384[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBkDCCATegAwIBAgIUL3xvify8Isw2HaKnTyKIynY9zC4wCgYIKoZIzj0EAwMw\n"
    "HjEcMBoGA1UEAwwTcHJveHkuc3BuY2hlY2sudGVzdDAeFw0yNjExMjUxMzE3Mjda\n"
    "Fw0zNjExMjIxMzE3MjdaMB4xHDAaBgNVBAMME3Byb3h5LnNwbmNoZWNrLnRlc3Qw\n"
    "WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAATfn6t5V/smsilUM5WXTiznvPUb+4YL\n"
    "o3OG89s9SIsCd4k4W+uM+jYys+4Zao1xthg/0pz2OXFOYAwOU+SadeIao1MwUTAd\n"
    "BgNVHQ4EFgQU7XMUya6S0zd0Y/EwguYPauHM7NYwHwYDVR0jBBgwFoAU7XMUya6S\n"
    "0zd0Y/EwguYPauHM7NYwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAwNHADBE\n"
    "AiBTtIRaH1ns5cKKcgovaX3jIaCF6HunOVzWW8YGfTshkwIgRjrfBvzK2nEW275T\n"
    "DDI2j1+Z9g+sb7Da6w09cdrr+ys=\n"
    "-----END CERTIFICATE-----\n"
    ;
static const char CERT_SHA1[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBjzCCATagAwIBAgIUeZNYeohTYFosDOA2Won8gGnqlLcwCQYHKoZIzj0EATAe\n"
    "MRwwGgYDVQQDDBNwcm94eS5zcG5jaGVjay50ZXN0MB4XDTI2MTEyNTEzMTcyN1oX\n"
    "DTM2MTEyMjEzMTcyN1owHjEcMBoGA1UEAwwTcHJveHkuc3BuY2hlY2sudGVzdDBZ\n"
    "MBMGByqGSM49AgEGCCqGSM49AwEHA0IABGDbnybiCkeVRgc8Py8Kt24nLdQBbrI3\n"
    "BAnsNFXEKUHv3uJAa8m/Wd2MNAXEf+xrwN0hOWNa7e/UtUH7z2LOqumjUzBRMB0G\n"
    "A1UdDgQWBBQLKifVddpmQDap57PhSry4sdzW/TAfBgNVHSMEGDAWgBQLKifVddpm\n"
    "QDap57PhSry4sdzW/TAPBgNVHRMBAf8EBTADAQH/MAkGByqGSM49BAEDSAAwRQIg\n"
    "NJN8IyV4FA//RnEpBx30lLIU+egqBaPoeOzhZYzui4cCIQD8ypsupr0k7al5M46Z\n"
    "pfvYUa2dgaqjNonSK6A97jMAWA==\n"
    "-----END CERTIFICATE-----\n"
    ;
#define CERT_SHA256_CB "2d641131c6345590bad8f278355e3f9d"
#define CERT_SHA384_CB "a58af3c6c13a0fa62cd76a8cbdcaad4a"
#define CERT_SHA1_CB "94253bfcdcbe6ed21b8969e11a4b2756"   /* SHA-1 signature: SHA-256 hash */
#endif
