package dev.jobline.it;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.JsonSchemaValidationException;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatableResponse;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * openapi.yaml as a test oracle. An API call and its answer are checked by a maintained OpenAPI 3.1 validator
 * (Eclipse Vert.x's vertx-openapi, JSON Schema 2020-12), not by a checker of our own; this class only hands it the
 * call as API Gateway delivered it. The rules:
 * <ul>
 * <li>every answer to a call the document describes is one of the operation's documented answers (status, media
 * type, headers, body schema);</li>
 * <li>a call the API accepted (2xx) is valid by the document: the contract never promises less than the API takes.
 * A refused call (4xx) may be valid by it, as some rules (a runAt at most a year ahead) are the code's alone.</li>
 * </ul>
 * A path and method the document does not have (the router's own 404 and 405) is not checked.
 */
final class OpenApiContract {
    static final Path DOCUMENT = Jobline.EVENTS.getParent().resolve("openapi.yaml");
    private static final String PROBLEM = "application/problem+json";
    static final String PROBLEM_AS_VENDOR_JSON = "application/vnd.jobline.problem+json";
    /** The dashboard files' media types, which the validator reads as text/plain. */
    private static final List<String> DASHBOARD_TEXT = List.of("text/html", "text/javascript", "text/css");

    private static final Vertx VERTX = Vertx.vertx();
    private static final OpenAPIContract CONTRACT = await(OpenAPIContract.from(VERTX, document()));
    private static final RequestValidator REQUESTS = RequestValidator.create(VERTX, CONTRACT);
    private static final ResponseValidator RESPONSES = ResponseValidator.create(VERTX, CONTRACT);

    private OpenApiContract() {
    }

    /**
     * openapi.yaml as JSON, with two changes for what vertx-openapi 5 cannot take, neither of which loosens a check:
     * <ul>
     * <li>server URLs get their variables' defaults: the OAS 3.1 schema of 2022-10-07, which vertx-openapi checks
     * documents against, gives a server url the format uri-reference, which a template such as
     * https://{apiId}.execute-api... is not; the OpenAPI Initiative dropped that format for this reason
     * (OAI/OpenAPI-Specification#3455), and the specification allows the template;</li>
     * <li>application/problem+json is named {@value #PROBLEM_AS_VENDOR_JSON}: vertx-openapi validates JSON bodies only
     * of the media types it knows, and RFC 9457's is not among them, while a vendor +json type is. Answers are renamed
     * the same way ({@link #response}), so a problem must still come as application/problem+json, and nothing else
     * as it.</li>
     * <li>the dashboard's files (text/html, text/javascript, text/css, each a string) are named text/plain: vertx-openapi
     * takes no other text media type. Answers are renamed the same way ({@link #response}); a file's media type is
     * the router's, checked by DashboardBrowserTest loading the page.</li>
     * </ul>
     */
    @SuppressWarnings("unchecked")
    static JsonObject document() {
        Map<String, Object> document;
        try (Reader reader = Files.newBufferedReader(DOCUMENT, StandardCharsets.UTF_8)) {
            document = new Yaml(new TimestampsAsText()).load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Object server : (List<Object>) document.get("servers")) {
            Map<String, Object> fields = (Map<String, Object>) server;
            Map<String, Object> variables = (Map<String, Object>) fields.getOrDefault("variables", Map.of());
            String url = (String) fields.get("url");
            for (Map.Entry<String, Object> variable : variables.entrySet()) {
                url = url.replace("{" + variable.getKey() + "}", String.valueOf(((Map<String, Object>) variable.getValue()).get("default")));
            }
            fields.put("url", url);
        }
        return new JsonObject((Map<String, Object>) renameProblemMediaType(document));
    }

    @SuppressWarnings("unchecked")
    private static Object renameProblemMediaType(Object node) {
        if (node instanceof Map<?, ?> map) {
            Map<String, Object> renamed = new LinkedHashMap<>();
            ((Map<String, Object>) map).forEach((key, value) ->
                    renamed.put(key.equals(PROBLEM) ? PROBLEM_AS_VENDOR_JSON : DASHBOARD_TEXT.contains(key) ? "text/plain" : key,
                            renameProblemMediaType(value)));
            return renamed;
        }
        if (node instanceof List<?> list) {
            // mutable: the validator's dereferencing writes into the document
            return list.stream().map(OpenApiContract::renameProblemMediaType).collect(Collectors.toCollection(ArrayList::new));
        }
        return node;
    }

    /** JSON has no timestamps: a YAML date stays the text it was. */
    private static final class TimestampsAsText extends SafeConstructor {
        TimestampsAsText() {
            super(new LoaderOptions());
            yamlConstructors.put(Tag.TIMESTAMP, new ConstructYamlStr());
        }
    }

    /** Throws an AssertionError naming how the call or its answer departs from openapi.yaml. */
    static void check(APIGatewayV2HTTPEvent event, APIGatewayV2HTTPResponse response) {
        Optional<Operation> found = operation(event);
        if (found.isEmpty()) {
            return;
        }
        Operation operation = found.get();
        String call = operation.getHttpMethod() + " " + event.getRawPath() + " (" + operation.getOperationId()
                + ") answered " + response.getStatusCode();
        failure(RESPONSES.validate(response(response), operation.getOperationId())).ifPresent(reason -> {
            throw new AssertionError(call + ", an answer openapi.yaml does not describe: " + reason
                    + "\nbody: " + response.getBody());
        });
        if (response.getStatusCode() / 100 == 2) {
            failure(REQUESTS.validate(request(event, operation), operation.getOperationId())).ifPresent(reason -> {
                throw new AssertionError(call + " to a request openapi.yaml does not allow: " + reason
                        + "\nrequest body: " + event.getBody());
            });
        }
    }

    /** The document's operation for the event's method and path, if it has one. */
    static Optional<Operation> operation(APIGatewayV2HTTPEvent event) {
        String method = event.getRequestContext().getHttp().getMethod();
        String path = event.getRawPath();
        if (method == null || method.isBlank() || path == null || !path.startsWith("/")) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(CONTRACT.findOperation(path, HttpMethod.valueOf(method.toUpperCase(Locale.ROOT))));
        } catch (IllegalArgumentException notAMethodOrPath) {
            return Optional.empty();   // a fuzzed method or path no HTTP request has
        }
    }

    /** The call as the validator reads it: each declared parameter from where the document puts it, and the body. */
    private static ValidatableRequestImpl request(APIGatewayV2HTTPEvent event, Operation operation) {
        Map<String, RequestParameter> cookies = new HashMap<>();
        Map<String, RequestParameter> headers = new HashMap<>();
        Map<String, RequestParameter> path = new HashMap<>();
        Map<String, RequestParameter> query = new HashMap<>();
        String[] segments = event.getRawPath().substring(1).split("/");
        String[] templateSegments = operation.getOpenAPIPath().substring(1).split("/");
        for (Parameter parameter : operation.getParameters()) {
            String name = parameter.getName();
            switch (parameter.getIn()) {
                case HEADER -> headers.put(name, new RequestParameterImpl(header(event, name)));
                case QUERY -> query.put(name, new RequestParameterImpl(
                        event.getQueryStringParameters() == null ? null : event.getQueryStringParameters().get(name)));
                case PATH -> {
                    for (int i = 0; i < templateSegments.length; i++) {
                        if (templateSegments[i].equals("{" + name + "}") && i < segments.length) {
                            path.put(name, new RequestParameterImpl(URLDecoder.decode(segments[i], StandardCharsets.UTF_8)));
                        }
                    }
                }
                case COOKIE -> cookies.put(name, new RequestParameterImpl(null));
            }
        }
        if (operation.getRequestBody() == null) {
            return new ValidatableRequestImpl(cookies, headers, path, query);
        }
        Buffer body = event.getBody() == null ? null : Buffer.buffer(bytes(event));
        return new ValidatableRequestImpl(cookies, headers, path, query, new RequestParameterImpl(body),
                header(event, "content-type"));
    }

    private static ValidatableResponse response(APIGatewayV2HTTPResponse response) {
        Map<String, String> headers = new HashMap<>();
        if (response.getHeaders() != null) {
            response.getHeaders().forEach((name, value) -> headers.put(name.toLowerCase(Locale.ROOT), value));
        }
        if (PROBLEM.equals(headers.get("content-type"))) {
            headers.put("content-type", PROBLEM_AS_VENDOR_JSON);
        }
        String mediaType = headers.getOrDefault("content-type", "").split(";")[0].trim();
        if (DASHBOARD_TEXT.contains(mediaType)) {
            headers.put("content-type", "text/plain");
        }
        String body = response.getBody();
        if (body == null || body.isEmpty()) {
            return ValidatableResponse.create(response.getStatusCode(), headers);
        }
        return ValidatableResponse.create(response.getStatusCode(), headers, Buffer.buffer(body), headers.get("content-type"));
    }

    private static String header(APIGatewayV2HTTPEvent event, String name) {
        if (event.getHeaders() == null) {
            return null;
        }
        for (Map.Entry<String, String> header : event.getHeaders().entrySet()) {
            if (header.getKey().equalsIgnoreCase(name)) {
                return header.getValue();
            }
        }
        return null;
    }

    private static byte[] bytes(APIGatewayV2HTTPEvent event) {
        if (event.getIsBase64Encoded()) {
            try {
                return Base64.getDecoder().decode(event.getBody());
            } catch (IllegalArgumentException notBase64) {
                // the API refuses it: the validator sees the text as it came
            }
        }
        return event.getBody().getBytes(StandardCharsets.UTF_8);
    }

    /** The validator's reason when the future failed, empty when it succeeded. */
    private static Optional<String> failure(Future<?> validation) {
        try {
            validation.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            return Optional.empty();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            String detail = cause instanceof SchemaValidationException schema && schema.getOutputUnit() != null
                    ? " " + schema.getOutputUnit().getErrors() : "";
            return Optional.of(cause.getMessage() + detail);
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("the OpenAPI validator did not answer", e);
        }
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            StringBuilder reasons = new StringBuilder();
            for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
                reasons.append("\n  ").append(cause.getMessage());
                if (cause instanceof JsonSchemaValidationException invalid) {
                    reasons.append(" at ").append(invalid.location());
                }
            }
            throw new IllegalStateException("openapi.yaml is not a valid OpenAPI 3.1 document:" + reasons, e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException("openapi.yaml could not be read", e);
        }
    }
}
