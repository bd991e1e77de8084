package dev.jobline.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TenantIdTest {

    @ParameterizedTest
    @ValueSource(strings = {"tenant-a", "auth0|5f7c8ec7c33c6c004bbafe82", "alice@example.com", "123", "null",
            "https://issuer.example/users/7", "7c0f9a0e-4a43-4c4e-9d55-0c1f1f0e3b1a", "a#b"})
    void theSubjectsIdentityProvidersIssueAreTenantIds(String sub) {
        assertTrue(TenantId.isValid(sub), sub);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "tenant a", "[a]", "[a b]", "{\"id\":\"a\"}", "a\\b", "t\u00e9nant", "tab\tbed", "new\nline"})
    void emptyWhitespaceNonAsciiOrAStringifiedArrayOrObjectIsNot(String sub) {
        assertFalse(TenantId.isValid(sub), sub);
    }

    @ParameterizedTest
    @ValueSource(ints = {255, 256, 10_000})
    void atMost255Characters(int length) {
        assertTrue(TenantId.isValid("t".repeat(length)) == (length <= 255));
    }
}
