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
/* An RSA-2048 certificate signed with RSASSA-PSS (SHA-256, MGF1 SHA-256,
 * salt 32): RFC 5929 4.1's single hash is SHA-256 (openssl req -sigopt
 * rsa_padding_mode:pss; MD5 by python3 hashlib). */
static const char CERT_RSA_PSS[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIDhTCCAjmgAwIBAgIUc7yx3k58Ii6HydPAFchTtBUga04wQQYJKoZIhvcNAQEK\n"
    "MDSgDzANBglghkgBZQMEAgEFAKEcMBoGCSqGSIb3DQEBCDANBglghkgBZQMEAgEF\n"
    "AKIDAgEgMB4xHDAaBgNVBAMME3Byb3h5LnNwbmNoZWNrLnRlc3QwHhcNMjYxMTI1\n"
    "MTQxNTE2WhcNMzYxMTIyMTQxNTE2WjAeMRwwGgYDVQQDDBNwcm94eS5zcG5jaGVj\n"
    "ay50ZXN0MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAzyZBTFeeDzMj\n"
    "FD0zaN4x+Nj0wbd+ITGym3XKqX4IEBLLyVCDCzTRR4iDCLAYFC6J89DDHjR/RkjN\n"
    "/KWWzw0ix7ply9Z6lG3ZKnpTAjQCJ2A9EPIf3AKMW1vDlPPq1IPcR85uwMRqM4gz\n"
    "B330X6gt5XB5p0XdvZ0pMLuGkp/+LinoNt3Slv7aV0oD+f3GvnEkW9L1GmDsM4Se\n"
    "74b6Kub7sqLwXLFIxmTEQgC7+ZtXK/p1QSk5gEtVUTEGV3qmXQkqc5VqB8ldrNW1\n"
    "yLP77ubD7J5F4SbMoE9o2mafv1coB+LNfxL9JkabOQjk42/gcPFU7tZC1kV3/B4Z\n"
    "sfCwufaQfwIDAQABo1MwUTAdBgNVHQ4EFgQUbVubgi392RG6Wzqz5QRgg2cfBtkw\n"
    "HwYDVR0jBBgwFoAUbVubgi392RG6Wzqz5QRgg2cfBtkwDwYDVR0TAQH/BAUwAwEB\n"
    "/zBBBgkqhkiG9w0BAQowNKAPMA0GCWCGSAFlAwQCAQUAoRwwGgYJKoZIhvcNAQEI\n"
    "MA0GCWCGSAFlAwQCAQUAogMCASADggEBABMXB6Jfwmuo2B188a352DVTc5o1VEbm\n"
    "g0qH4Jn1vgIjLBp+hA9Nud+dP6lZHcIZV2uG3B+ovmCYGCRgym7o5DAo6/Xfi+I+\n"
    "ye543//MghgIyD8wQfe0McusLXtF7A8IvLFCAF6sT490DueAZWsGjuWixkyHpCxD\n"
    "HT/3iRFwSTDLtkQRPmDsLc4NZYDZKrOINUJFBh2Qpf6vXudtmH35KIPgbJyAAXfJ\n"
    "CPIP1MVfko+KGki3aVQC+XY3xY0GBOy95HKYozWcEE75UUQLYTOFDPIaMTCFQiq3\n"
    "nYmfJMNm9gNXDL2M3iGTliLDE4kFUPuEQTJM0orKsPjqWIDOKAl7R5w=\n"
    "-----END CERTIFICATE-----\n"
    ;
#define CERT_RSA_PSS_CB "bc9ba7ea8224fb43a461f349932410c8"   /* PSS with SHA-256: SHA-256 */
/* An Ed25519 certificate: its signature has no separate hash, so RFC 5929
 * 4.1 defines no tls-server-end-point binding for it. */
static const char CERT_ED25519[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBLDCB36ADAgECAhQ8wv8HCoRovxZVgyELHX5omyCzAjAFBgMrZXAwDDEKMAgG\n"
    "A1UEAwwBeDAeFw0yNjExMjUxNDE1NDBaFw0yNjEyMjUxNDE1NDBaMAwxCjAIBgNV\n"
    "BAMMAXgwKjAFBgMrZXADIQB0ttAmOALFAsMCQJW+C+uZ/ZMJ62v9BiVeuwdvSs2P\n"
    "WqNTMFEwHQYDVR0OBBYEFFLm8QQNBdMY56Y3EdyeUis2KBUhMB8GA1UdIwQYMBaA\n"
    "FFLm8QQNBdMY56Y3EdyeUis2KBUhMA8GA1UdEwEB/wQFMAMBAf8wBQYDK2VwA0EA\n"
    "y21ZfZtGVjnZeNGrdeftf5U39bfTBwb0LLJ3zfftNtde9t19S9j+Aizx3PsgR5B8\n"
    "6xvID0TX/cPFBPqzNEpyCw==\n"
    "-----END CERTIFICATE-----\n"
    ;
#endif
