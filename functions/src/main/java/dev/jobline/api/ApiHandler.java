package dev.jobline.api;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.jobline.config.Priming;
import dev.jobline.config.SnapshotHooks;
import dev.jobline.config.Wiring;
import dev.jobline.log.Log;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Locale;
import java.util.Map;

/**
 * API Gateway HTTP API (payload 2.0) to {@link JobsApi} and back. The body is read as UTF-8, strictly: bytes that are
 * not UTF-8 are refused, never replaced.
 */
public final class ApiHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    /** Set by SAM CLI, and only by it, in the functions it runs locally. */
    static final String SAM_LOCAL = "AWS_SAM_LOCAL";

    private final JobsApi api;
    private final boolean samLocal;

    public ApiHandler() {                    // Lambda: wiring happens once per container
        this(Wiring.fromEnvironment().api(), System.getenv());
        SnapshotHooks.register(Wiring.fromEnvironment(), Priming::submit);   // SnapStart: primed before the snapshot
    }

    public ApiHandler(JobsApi api) {         // tests and the local runner: pass the collaborators
        this(api, Map.of());
    }

    /**
     * @param environment with {@value #SAM_LOCAL} {@code true} (sam local start-api, which runs no JWT authorizer), a
     *     request that reaches the function without an authorizer's claims names its caller itself, as the local runner
     *     lets it ({@link LocalClaims}); never otherwise
     */
    public ApiHandler(JobsApi api, Map<String, String> environment) {
        this.api = api;
        this.samLocal = "true".equals(environment.get(SAM_LOCAL));
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        Log.clearContext();
        Log.putContext("function", context == null ? null : context.getFunctionName());
        Log.putContext("requestId", context == null ? null : context.getAwsRequestId());
        HttpResponse response;
        try {
            response = api.handle(toRequest(event));
        } catch (Problem problem) {
            response = problem.toResponse();
        }
        Log.clearContext();
        return APIGatewayV2HTTPResponse.builder()
                .withStatusCode(response.status())
                .withHeaders(response.headers())
                .withBody(response.body())
                .withIsBase64Encoded(false)
                .build();
    }

    private HttpRequest toRequest(APIGatewayV2HTTPEvent event) {
        APIGatewayV2HTTPEvent.RequestContext requestContext = event.getRequestContext();
        String method = requestContext != null && requestContext.getHttp() != null ? requestContext.getHttp().getMethod() : null;
        Map<String, String> headers = new HashMap<>();
        if (event.getHeaders() != null) {
            event.getHeaders().forEach((name, value) -> headers.put(name.toLowerCase(Locale.ROOT), value));
        }
        APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT jwt = requestContext == null || requestContext.getAuthorizer() == null
                ? null : requestContext.getAuthorizer().getJwt();
        Map<String, String> claims = jwt == null ? null : jwt.getClaims();
        List<String> gatewayScopes = jwt == null ? null : jwt.getScopes();
        if (jwt == null && samLocal) {
            claims = localClaims(headers);
        }
        String body = null;
        Problem unreadableBody = null;
        try {
            body = body(event);
        } catch (Problem problem) {
            unreadableBody = problem;
        }
        return new HttpRequest(method, event.getRawPath(), headers, event.getQueryStringParameters(), body, unreadableBody,
                claims == null ? null : claims.get("sub"), scopes(gatewayScopes, claims),
                requestContext == null ? null : requestContext.getRequestId());
    }

    /** sam local start-api: the caller the request names, or none; an unreadable token is a 401, as API Gateway's. */
    private static Map<String, String> localClaims(Map<String, String> headers) {
        try {
            return LocalClaims.of(headers).orElse(null);
        } catch (LocalClaims.Unauthorized e) {
            throw new Problem(401, "unauthenticated", "Unauthenticated", e.getMessage())
                    .withHeader("www-authenticate", "Bearer error=\"invalid_token\"");
        }
    }

    /** The body as text: base64 decoded when API Gateway encoded it, and UTF-8 throughout, or a 400. */
    private static String body(APIGatewayV2HTTPEvent event) {
        String body = event.getBody();
        if (body == null) {
            return null;
        }
        if (event.getIsBase64Encoded()) {
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(body);
            } catch (IllegalArgumentException e) {
                throw Problem.badRequest("invalid-body", "the body is not valid base64");
            }
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                throw notUtf8();
            }
        }
        // text API Gateway passed on: a lone surrogate (from a \\ud800 in the event) is no UTF-8 either
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < body.length() && Character.isLowSurrogate(body.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw notUtf8();
            }
        }
        return body;
    }

    private static Problem notUtf8() {
        return Problem.badRequest("invalid-encoding", "the body is not valid UTF-8 text");
    }

    /** The token's scopes: API Gateway's list when it has one, else the 'scope' or 'scp' claim, space-separated. */
    private static Set<String> scopes(List<String> gatewayScopes, Map<String, String> claims) {
        Set<String> scopes = new HashSet<>();
        if (gatewayScopes != null) {
            scopes.addAll(gatewayScopes);
        }
        if (claims != null) {
            for (String claim : List.of("scope", "scp")) {
                String value = claims.get(claim);
                if (value != null) {
                    scopes.addAll(Arrays.asList(value.trim().replaceAll("^\\[|]$", "").split("[\\s,]+")));
                }
            }
        }
        scopes.remove("");
        return scopes;
    }
}
