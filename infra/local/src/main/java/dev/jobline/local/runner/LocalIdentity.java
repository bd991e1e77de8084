package dev.jobline.local.runner;

import dev.jobline.api.LocalClaims;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The caller's identity, in place of the template's JWT authorizer. LOCAL ONLY: nothing is verified. The claims put
 * into {@code requestContext.authorizer.jwt} are those the request names ({@link LocalClaims}, which the API function
 * also reads under {@code sam local start-api}): an unsigned {@code Authorization: Bearer <JWT>}'s payload, else
 * {@code X-Jobline-Tenant: <tenant>} as {@code sub}; with neither, {@code sub} is the default tenant, so a plain
 * {@code curl} works. {@code scope} gives the scopes.
 */
final class LocalIdentity {
    private final String defaultTenant;

    LocalIdentity(String defaultTenant) {
        this.defaultTenant = defaultTenant;
    }

    /** The {@code authorizer} object of the request context, from the request's (lower-case) headers. */
    Map<String, Object> authorizer(Map<String, String> headers) throws LocalClaims.Unauthorized {
        Map<String, String> claims = LocalClaims.of(headers).orElseGet(() -> LocalClaims.ofTenant(defaultTenant));
        Map<String, Object> jwt = new LinkedHashMap<>();
        jwt.put("claims", claims);
        String scope = claims.get("scope");
        jwt.put("scopes", scope == null ? null : List.of(scope.split(" ")));
        return Map.of("jwt", jwt);
    }
}
