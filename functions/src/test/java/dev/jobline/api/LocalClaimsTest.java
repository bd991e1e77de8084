package dev.jobline.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The local identity the runner and sam local read from a request's headers. */
class LocalClaimsTest {

    private static String bearer(String payloadJson) {
        return "Bearer eyJhbGciOiJub25lIn0."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(payloadJson.getBytes(StandardCharsets.UTF_8)) + ".";
    }

    @Test
    void theTokenWinsOverTheTenantHeaderAndItsClaimsReadAsApiGatewayPassesThem() throws LocalClaims.Unauthorized {
        Map<String, String> claims = LocalClaims.of(Map.of(
                "authorization", bearer("{\"sub\":\"tenant-c\",\"scope\":\"jobline/admin\",\"groups\":[\"a\",\"b\"],\"n\":7}"),
                "x-jobline-tenant", "tenant-b")).orElseThrow();

        assertEquals("tenant-c", claims.get("sub"));
        assertEquals("jobline/admin", claims.get("scope"));
        assertEquals("[a b]", claims.get("groups"));
        assertEquals("7", claims.get("n"));
    }

    @Test
    void theTenantHeaderNamesTheCallerWhenThereIsNoToken() throws LocalClaims.Unauthorized {
        assertEquals("tenant-b", LocalClaims.of(Map.of("x-jobline-tenant", " tenant-b ")).orElseThrow().get("sub"));
        assertEquals(Optional.empty(), LocalClaims.of(Map.of("x-jobline-tenant", " ")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"sub\":123}", "{\"sub\":[\"a\"]}", "{\"sub\":null}", "{\"sub\":{\"id\":\"a\"}}", "{\"sub\":true}",
            "[]", "null", "\"tenant\"", "{\"sub\":\"\\ud800\"}"})
    void aTokenWhoseSubIsNotAStringOrWhosePayloadIsNoObjectIsRefused(String payload) {
        LocalClaims.Unauthorized refused = assertThrows(LocalClaims.Unauthorized.class,
                () -> LocalClaims.of(Map.of("authorization", bearer(payload))));
        assertTrue(refused.getMessage().startsWith("the JWT's"), refused.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bearer not-a-jwt", "Bearer a.b", "Bearer a.%%%.c", "Basic dXNlcjpwYXNz"})
    void aTokenThatIsNoJwtIsRefused(String authorization) {
        assertThrows(LocalClaims.Unauthorized.class, () -> LocalClaims.of(Map.of("authorization", authorization)));
    }
}
