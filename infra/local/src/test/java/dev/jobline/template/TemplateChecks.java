package dev.jobline.template;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.jobline.api.JobsApi;
import dev.jobline.api.Route;
import dev.jobline.config.Clients;
import dev.jobline.config.Clients;
import dev.jobline.config.Config;
import dev.jobline.config.Wiring;
import dev.jobline.jobs.JobCatalog;
import dev.jobline.worker.WorkerHandler;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Rules a deployable template.yaml must keep, checked on the parsed template (long-form
 * intrinsics, as {@code CfnYaml} gives them). Each check returns what it found wrong, so a test can
 * show the rule holds on the real template and breaks on a damaged copy.
 */
final class TemplateChecks {
    private final Map<String, Object> template;
    /** Where the template is, for the files it names (the Makefile); null: those are not checked. */
    private final Path templateDirectory;

    TemplateChecks(Map<String, Object> template) {
        this(template, null);
    }

    TemplateChecks(Map<String, Object> template, Path templateDirectory) {
        this.template = template;
        this.templateDirectory = templateDirectory;
    }

    List<String> all() {
        List<String> problems = new ArrayList<>();
        problems.addAll(handlersExist());
        problems.addAll(environmentIsComplete());
        problems.addAll(visibilityCoversSixTimesTheTimeout());
        problems.addAll(leaseEndsBeforeTheMessageReturns());
        problems.addAll(sqsEventsReportBatchItemFailures());
        problems.addAll(noPolicyGrantsEverything());
        problems.addAll(logGroupsHaveRetention());
        problems.addAll(functionsLogJson());
        problems.addAll(alarmsWatchOperations());
        problems.addAll(alarmsNotifyTheTopic());
        problems.addAll(dashboardShowsTheMetrics());
        problems.addAll(dataOutlivesTheStack());
        problems.addAll(everyFunctionHasAnErrorsAlarm());
        problems.addAll(adminRoutesNeedTheAdminScope());
        problems.addAll(logRetentionIsOneCloudWatchAccepts());
        problems.addAll(endpointVariablesAreEmpty());
        problems.addAll(functionsRunOnArm64());
        problems.addAll(functionsAreBuiltByTheMakefile());
        problems.addAll(snapStartWherePublishedVersionsAreInvoked());
        return problems;
    }

    /** The RetentionInDays values CloudWatch Logs accepts (AWS::Logs::LogGroup's schema, as cfn-lint ships it). */
    static final List<Integer> CLOUDWATCH_RETENTION_DAYS = List.of(1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400,
            545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653);

    /**
     * Deleting the stack, or an update that replaces a resource, keeps every table and queue (DeletionPolicy and
     * UpdateReplacePolicy Retain: they hold the jobs, their messages and the dead letters), and every table can be
     * restored to a point in time.
     */
    List<String> dataOutlivesTheStack() {
        List<String> problems = new ArrayList<>();
        resources().forEach((id, resource) -> {
            Object type = resource.get("Type");
            if (!"AWS::DynamoDB::Table".equals(type) && !"AWS::SQS::Queue".equals(type)) {
                return;
            }
            for (String policy : List.of("DeletionPolicy", "UpdateReplacePolicy")) {
                if (!"Retain".equals(resource.get(policy))) {
                    problems.add(id + ": " + policy + " is not Retain");
                }
            }
            if ("AWS::DynamoDB::Table".equals(type) && !Boolean.TRUE.equals(path(resource, "Properties",
                    "PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled"))) {
                problems.add(id + ": point-in-time recovery is not enabled");
            }
        });
        return problems;
    }

    /** A function whose invocations fail pages someone: every function has an alarm on its Lambda Errors. */
    List<String> everyFunctionHasAnErrorsAlarm() {
        List<String> problems = new ArrayList<>();
        for (String function : functions().keySet()) {
            boolean found = alarms().values().stream().anyMatch(alarm -> "AWS/Lambda".equals(alarm.get("Namespace"))
                    && "Errors".equals(alarm.get("MetricName"))
                    && dimensions(alarm).stream().anyMatch(d -> "FunctionName".equals(d.get("Name"))
                            && function.equals(logicalIdOf(d.get("Value")))));
            if (!found) {
                problems.add("no alarm watches AWS/Lambda Errors of " + function);
            }
        }
        return problems;
    }

    /**
     * API Gateway refuses a token without the admin scope before the function runs: each HttpApi event of an ADMIN
     * route ({@code Route.Access}) has {@code AuthorizationScopes: [!Ref AdminScope]}, and no other route has scopes
     * (a tenant's token carries none).
     */
    List<String> adminRoutesNeedTheAdminScope() {
        List<String> problems = new ArrayList<>();
        Map<String, Route.Access> access = new LinkedHashMap<>();
        routes().forEach(route -> access.put(route.method() + " " + route.template(), route.access()));
        Object adminScope = List.of(Map.of("Ref", "AdminScope"));
        functions().forEach((id, properties) -> asMap(properties.get("Events")).forEach((eventId, event) -> {
            Map<String, Object> body = asMap(event);
            if (!"HttpApi".equals(body.get("Type"))) {
                return;
            }
            String route = path(body, "Properties", "Method") + " " + path(body, "Properties", "Path");
            Object scopes = path(body, "Properties", "Auth", "AuthorizationScopes");
            if (access.get(route) == Route.Access.ADMIN && !adminScope.equals(scopes)) {
                problems.add(id + "." + eventId + " (" + route + ", an admin route): Auth.AuthorizationScopes is not [!Ref AdminScope]");
            } else if (access.get(route) != Route.Access.ADMIN && scopes != null) {
                problems.add(id + "." + eventId + " (" + route + ", not an admin route) has AuthorizationScopes " + scopes);
            }
        }));
        return problems;
    }

    /** LogRetentionDays can only be a value CloudWatch Logs accepts, so a wrong one fails at once, not mid-deployment. */
    List<String> logRetentionIsOneCloudWatchAccepts() {
        List<String> problems = new ArrayList<>();
        Object allowed = path(template, "Parameters", "LogRetentionDays", "AllowedValues");
        if (!CLOUDWATCH_RETENTION_DAYS.equals(allowed)) {
            problems.add("LogRetentionDays: AllowedValues is not the values CloudWatch Logs accepts " + CLOUDWATCH_RETENTION_DAYS
                    + " but " + allowed);
        }
        Object defaultDays = path(template, "Parameters", "LogRetentionDays", "Default");
        if (!CLOUDWATCH_RETENTION_DAYS.contains(defaultDays)) {
            problems.add("LogRetentionDays: Default " + defaultDays + " is not a value CloudWatch Logs accepts");
        }
        return problems;
    }

    /** The API's route table (the router's, with who may call each route), from a wiring that reaches nothing. */
    private static List<Route> routes() {
        StaticCredentialsProvider credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
        URI nowhere = URI.create("http://127.0.0.1:1");
        SdkHttpClient http = UrlConnectionHttpClient.create();
        Clients clients = new Clients(
                DynamoDbClient.builder().region(Region.US_EAST_1).credentialsProvider(credentials).endpointOverride(nowhere).httpClient(http).build(),
                SqsClient.builder().region(Region.US_EAST_1).credentialsProvider(credentials).endpointOverride(nowhere).httpClient(http).build());
        Wiring wiring = new Wiring(Config.from(Map.of("TABLE_NAME", "t", "QUEUE_URL", "http://127.0.0.1:1/q")), clients,
                JobCatalog.registry(), Clock.systemUTC());
        return wiring.api().routes();
    }

    /** The functions whose cold starts a caller waits for: SnapStart must be on for them. */
    static final List<String> SNAPSTART_FUNCTIONS = List.of("ApiFunction", "WorkerFunction");

    /**
     * Variables Lambda reserves and SAM sets itself from the caller's profile and the function's settings: a template
     * cannot declare them, so an env-vars file cannot set them either.
     */
    static final Set<String> RESERVED = Set.of("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_EXECUTION_ENV", "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT",
            "LAMBDA_RUNTIME_DIR", "_HANDLER", "_X_AMZN_TRACE_ID");

    /** An endpoint variable the template sets must be empty: a deployed function uses the SDK's default endpoints. */
    List<String> endpointVariablesAreEmpty() {
        List<String> problems = new ArrayList<>();
        declaredEnvironments().forEach((id, env) -> env.forEach((name, value) -> {
            if (name.startsWith("AWS_ENDPOINT_URL") && !"".equals(value)) {
                problems.add(id + ": " + name + " is " + value + " in AWS; it must be \"\" (the SDK's default endpoint)");
            }
        }));
        return problems;
    }

    /** Every function runs on arm64 (Graviton): the jar is pure Java, and arm64 costs less per GB-second. */
    List<String> functionsRunOnArm64() {
        List<String> problems = new ArrayList<>();
        functions().forEach((id, properties) -> {
            Object architectures = properties.containsKey("Architectures") ? properties.get("Architectures")
                    : path(template, "Globals", "Function", "Architectures");
            if (!List.of("arm64").equals(architectures)) {
                problems.add(id + ": Architectures is " + architectures + ", not [arm64]");
            }
        });
        return problems;
    }

    /**
     * sam build runs the Makefile for every function (Metadata BuildMethod: makefile), from a CodeUri that is a
     * directory holding it: a CodeUri naming a jar is not skipped by SAM CLI (only .zip is), which picks its Maven
     * workflow for java21 and fails copying the jar as a source directory.
     */
    List<String> functionsAreBuiltByTheMakefile() {
        List<String> problems = new ArrayList<>();
        Map<String, Map<String, Object>> resources = resources();
        functions().forEach((id, properties) -> {
            if (!"makefile".equals(path(resources.get(id), "Metadata", "BuildMethod"))) {
                problems.add(id + ": Metadata.BuildMethod is not makefile");
            }
            Object codeUri = properties.containsKey("CodeUri") ? properties.get("CodeUri") : path(template, "Globals", "Function", "CodeUri");
            if (!(codeUri instanceof String directory) || directory.endsWith(".jar") || directory.endsWith(".zip")) {
                problems.add(id + ": CodeUri " + codeUri + " is not the directory of the Makefile");
            } else if (templateDirectory != null && !Files.isRegularFile(templateDirectory.resolve(directory).resolve("Makefile"))) {
                problems.add(id + ": CodeUri " + codeUri + " holds no Makefile");
            }
        });
        return problems;
    }

    /**
     * SnapStart is on where a caller waits for a cold start ({@link #SNAPSTART_FUNCTIONS}), and wherever it is on,
     * an alias is published: SnapStart applies to published versions only, and with AutoPublishAlias SAM points the
     * function's event sources and HTTP API at the alias instead of $LATEST.
     */
    List<String> snapStartWherePublishedVersionsAreInvoked() {
        List<String> problems = new ArrayList<>();
        functions().forEach((id, properties) -> {
            boolean snapStart = "PublishedVersions".equals(path(properties, "SnapStart", "ApplyOn"))
                    || "PublishedVersions".equals(path(template, "Globals", "Function", "SnapStart", "ApplyOn"));
            if (SNAPSTART_FUNCTIONS.contains(id) && !snapStart) {
                problems.add(id + ": SnapStart.ApplyOn is not PublishedVersions");
            }
            Object alias = properties.containsKey("AutoPublishAlias") ? properties.get("AutoPublishAlias")
                    : path(template, "Globals", "Function", "AutoPublishAlias");
            if (snapStart && (alias == null || String.valueOf(alias).isBlank())) {
                problems.add(id + ": SnapStart without AutoPublishAlias: its triggers would invoke $LATEST, which has no snapshot");
            }
        });
        return problems;
    }

    /**
     * An env-vars file for {@code sam local invoke} sets only what the template declares: SAM overrides a variable
     * only when the function's Environment.Variables (or Globals') has it, and silently drops the rest. Its
     * {@code Parameters} apply to every function, so each must be declared by every function; a section named after a
     * function applies to that one. Reserved variables (the region, the keys) SAM sets from the caller's AWS profile.
     */
    List<String> envVarsFileIsDeclared(Map<String, Object> envVars) {
        List<String> problems = new ArrayList<>();
        Map<String, Map<String, Object>> declared = declaredEnvironments();
        envVars.forEach((section, values) -> {
            if (!(values instanceof Map<?, ?> variables)) {
                problems.add(section + ": not an object of variables");
                return;
            }
            List<String> targets = section.equals("Parameters") ? List.copyOf(declared.keySet()) : List.of(section);
            if (!section.equals("Parameters") && !declared.containsKey(section)) {
                problems.add(section + ": no function of the template has this logical id");
                return;
            }
            for (Object name : variables.keySet()) {
                if (RESERVED.contains(String.valueOf(name)) || String.valueOf(name).startsWith("AWS_LAMBDA_")) {
                    problems.add(section + "." + name + ": reserved; SAM sets it itself (from the caller's AWS profile or the function), so this value is dropped");
                    continue;
                }
                List<String> undeclared = targets.stream().filter(id -> !declared.get(id).containsKey(String.valueOf(name))).toList();
                if (!undeclared.isEmpty()) {
                    problems.add(section + "." + name + ": not declared by " + undeclared + ", so SAM drops it there");
                }
            }
        });
        return problems;
    }

    /**
     * The function an event file is for: an HTTP API event's route, an SQS event's queue (its records' source ARN
     * ends with the local name, jobline-&lt;queue's logical id&gt;), a scheduled event's rule
     * (jobline-&lt;function&gt;&lt;event&gt;). Null when no function of the template would receive it.
     */
    String functionFor(Map<String, Object> event) {
        if (event.get("routeKey") instanceof String routeKey) {
            String[] route = routeKey.split(" ", 2);
            return route.length < 2 ? null : firstFunction((id, name, type, properties) -> "HttpApi".equals(type)
                    && route[0].equals(properties.get("Method")) && route[1].equals(properties.get("Path")));
        }
        if (event.get("Records") instanceof List<?> records && !records.isEmpty()) {
            Set<String> queues = new TreeSet<>();
            for (Object record : records) {
                String arn = String.valueOf(((Map<?, ?>) record).get("eventSourceARN"));
                queues.add(arn.substring(arn.lastIndexOf(':') + 1).replaceFirst("^jobline-", ""));
            }
            return queues.size() != 1 ? null : firstFunction((id, name, type, properties) -> "SQS".equals(type)
                    && queues.contains(logicalIdOf(properties.get("Queue"))));
        }
        if ("Scheduled Event".equals(event.get("detail-type")) && event.get("resources") instanceof List<?> rules && rules.size() == 1) {
            String rule = String.valueOf(rules.get(0));
            return firstFunction((id, name, type, properties) -> "Schedule".equals(type) && rule.endsWith("rule/jobline-" + id + name));
        }
        return null;
    }

    private interface EventMatch {
        boolean test(String functionId, String eventName, String type, Map<String, Object> properties);
    }

    private String firstFunction(EventMatch match) {
        for (Map.Entry<String, Map<String, Object>> function : functions().entrySet()) {
            for (Map.Entry<String, Object> event : asMap(function.getValue().get("Events")).entrySet()) {
                Map<String, Object> body = asMap(event.getValue());
                if (match.test(function.getKey(), event.getKey(), String.valueOf(body.get("Type")), asMap(body.get("Properties")))) {
                    return function.getKey();
                }
            }
        }
        return null;
    }

    /** Each function's declared variables: Globals' overlaid with its own, unresolved. */
    Map<String, Map<String, Object>> declaredEnvironments() {
        Map<String, Object> globals = environment(path(template, "Globals", "Function"));
        Map<String, Map<String, Object>> environments = new LinkedHashMap<>();
        functions().forEach((id, properties) -> {
            Map<String, Object> env = new LinkedHashMap<>(globals);
            env.putAll(environment(properties));
            environments.put(id, env);
        });
        return environments;
    }

    /** The Jobline metrics the functions write (JobMetrics), each of which the dashboard must show. */
    static final List<String> JOB_METRICS = List.of("JobsSubmitted", "JobsSucceeded", "JobsFailed", "JobsRetried",
            "JobsDeadLettered", "JobsCancelled", "JobsRecovered", "JobDuration", "QueueWait");

    /** An alarm an operator needs: what it watches, and the resource its dimension names. */
    record Watch(String namespace, String metric, String dimension, String resource) {
        @Override
        public String toString() {
            return namespace + " " + metric + " of " + (resource == null ? dimension : resource);
        }
    }

    static final List<Watch> WATCHES = List.of(
            new Watch("AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "JobsDeadLetterQueue"),
            new Watch("AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "WebhooksDeadLetterQueue"),
            new Watch("AWS/Lambda", "Errors", "FunctionName", "WorkerFunction"),
            new Watch("AWS/Lambda", "Throttles", "FunctionName", "WorkerFunction"),
            new Watch("AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", "JobsQueue"),
            new Watch("AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", "HighPriorityJobsQueue"),
            new Watch("Jobline", "JobsRecovered", "Service", null),
            new Watch("AWS/ApiGateway", "5xx", "ApiId", "JobsApi"));

    /** Every function uses Lambda's JSON log format, so its own lines and ours are structured records. */
    List<String> functionsLogJson() {
        List<String> problems = new ArrayList<>();
        functions().forEach((id, properties) -> {
            if (!"JSON".equals(path(properties, "LoggingConfig", "LogFormat"))) {
                problems.add(id + ": LoggingConfig.LogFormat is not JSON");
            }
        });
        return problems;
    }

    /** Each of {@link #WATCHES} has an alarm on that metric of that resource. */
    List<String> alarmsWatchOperations() {
        List<String> problems = new ArrayList<>();
        for (Watch watch : WATCHES) {
            boolean found = alarms().values().stream().anyMatch(alarm -> watch.namespace().equals(alarm.get("Namespace"))
                    && watch.metric().equals(String.valueOf(alarm.get("MetricName")))
                    && dimensions(alarm).stream().anyMatch(d -> watch.dimension().equals(d.get("Name"))
                            && (watch.resource() == null || watch.resource().equals(logicalIdOf(d.get("Value"))))));
            if (!found) {
                problems.add("no alarm watches " + watch);
            }
        }
        return problems;
    }

    /** Every alarm notifies the optional AlarmTopicArn, and only when one is given. */
    List<String> alarmsNotifyTheTopic() {
        List<String> problems = new ArrayList<>();
        if (path(template, "Parameters", "AlarmTopicArn") == null
                || !"".equals(path(template, "Parameters", "AlarmTopicArn", "Default"))) {
            problems.add("no optional AlarmTopicArn parameter (Default \"\")");
        }
        if (path(template, "Conditions", "HasAlarmTopic") == null) {
            problems.add("no HasAlarmTopic condition");
        }
        Object expected = Map.of("Fn::If", List.of("HasAlarmTopic", List.of(Map.of("Ref", "AlarmTopicArn")), Map.of("Ref", "AWS::NoValue")));
        alarms().forEach((id, alarm) -> {
            if (!expected.equals(alarm.get("AlarmActions"))) {
                problems.add(id + ": AlarmActions is not !If [HasAlarmTopic, [!Ref AlarmTopicArn], !Ref AWS::NoValue]");
            }
        });
        return problems;
    }

    /** A dashboard whose body is JSON (once !Sub has filled it in) and shows every Jobline metric. */
    List<String> dashboardShowsTheMetrics() {
        List<String> problems = new ArrayList<>();
        List<Map<String, Object>> dashboards = new ArrayList<>();
        resources().forEach((id, resource) -> {
            if ("AWS::CloudWatch::Dashboard".equals(resource.get("Type"))) {
                dashboards.add(asMap(resource.get("Properties")));
            }
        });
        if (dashboards.isEmpty()) {
            return List.of("no AWS::CloudWatch::Dashboard");
        }
        for (Map<String, Object> dashboard : dashboards) {
            Object body = dashboard.get("DashboardBody");
            String text = body instanceof Map<?, ?> sub && sub.get("Fn::Sub") instanceof String template ? template
                    : body instanceof String plain ? plain : null;
            if (text == null) {
                problems.add("the dashboard's DashboardBody is not a string or !Sub string");
                continue;
            }
            String filled = text.replaceAll("\\$\\{[^}]+}", "x");
            Object parsed;
            try {
                parsed = dev.jobline.json.Json.parse(filled);
            } catch (dev.jobline.json.Json.MalformedJson | RuntimeException e) {
                problems.add("the dashboard's body is not JSON: " + e.getMessage());
                continue;
            }
            if (!(parsed instanceof Map<?, ?> root) || !(root.get("widgets") instanceof List<?> widgets) || widgets.isEmpty()) {
                problems.add("the dashboard has no widgets");
                continue;
            }
            for (String metric : JOB_METRICS) {
                if (!filled.contains("\"" + metric + "\"")) {
                    problems.add("the dashboard does not show " + metric);
                }
            }
        }
        return problems;
    }

    private Map<String, Map<String, Object>> alarms() {
        Map<String, Map<String, Object>> alarms = new LinkedHashMap<>();
        resources().forEach((id, resource) -> {
            if ("AWS::CloudWatch::Alarm".equals(resource.get("Type"))) {
                alarms.put(id, asMap(resource.get("Properties")));
            }
        });
        return alarms;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> dimensions(Map<String, Object> alarm) {
        return alarm.get("Dimensions") instanceof List<?> list ? (List<Map<String, Object>>) list : List.of();
    }

    /** Each function's Handler names a class in the jar with the method, taking (event, Context). */
    List<String> handlersExist() {
        List<String> problems = new ArrayList<>();
        functions().forEach((id, properties) -> {
            String handler = (String) properties.get("Handler");
            if (handler == null || !handler.contains("::")) {
                problems.add(id + ": Handler must be Class::method, not " + handler);
                return;
            }
            String[] parts = handler.split("::", 2);
            try {
                Class<?> type = Class.forName(parts[0]);
                if (!hasHandlerMethod(type, parts[1])) {
                    problems.add(id + ": " + parts[0] + " has no method " + parts[1] + "(event, Context)");
                }
                type.getConstructor();
            } catch (ClassNotFoundException e) {
                problems.add(id + ": no class " + parts[0]);
            } catch (NoSuchMethodException e) {
                problems.add(id + ": " + parts[0] + " has no no-argument constructor for Lambda");
            }
        });
        return problems;
    }

    /** Every variable Config requires is set for every function; every variable set is one Config or Clients reads. */
    List<String> environmentIsComplete() {
        List<String> problems = new ArrayList<>();
        Set<String> known = new TreeSet<>(Config.REQUIRED);
        known.addAll(Config.OPTIONAL);
        known.add("JAVA_TOOL_OPTIONS");
        // the SDK's, read by Clients: empty in AWS, set by sam local invoke --env-vars
        known.addAll(Clients.ENDPOINT_VARIABLES);
        Map<String, Object> globals = environment(path(template, "Globals", "Function"));
        functions().forEach((id, properties) -> {
            Map<String, Object> env = new LinkedHashMap<>(globals);
            env.putAll(environment(properties));
            for (String required : Config.REQUIRED) {
                if (!env.containsKey(required)) {
                    problems.add(id + ": environment variable " + required + " is not set");
                }
            }
            for (String name : env.keySet()) {
                if (!known.contains(name)) {
                    problems.add(id + ": environment variable " + name + " is read by nothing");
                }
            }
        });
        return problems;
    }

    /** A queue feeding a function hides a message at least six times the function's timeout. */
    List<String> visibilityCoversSixTimesTheTimeout() {
        List<String> problems = new ArrayList<>();
        functions().forEach((id, properties) -> sqsEvents(properties).forEach((eventId, event) -> {
            String queueId = logicalIdOf(event.get("Queue"));
            Map<String, Object> queue = resource(queueId);
            if (queue == null) {
                problems.add(id + "." + eventId + ": queue " + queueId + " is not in the template");
                return;
            }
            int visibility = number(path(queue, "Properties", "VisibilityTimeout"), 30);
            int timeout = timeout(properties);
            if (visibility < 6 * timeout) {
                problems.add(id + "." + eventId + ": " + queueId + " VisibilityTimeout " + visibility
                        + " s is under 6 x the function's " + timeout + " s timeout");
            }
        }));
        return problems;
    }

    List<String> sqsEventsReportBatchItemFailures() {
        List<String> problems = new ArrayList<>();
        functions().forEach((id, properties) -> sqsEvents(properties).forEach((eventId, event) -> {
            Object types = event.get("FunctionResponseTypes");
            if (!(types instanceof List<?> list) || !list.contains("ReportBatchItemFailures")) {
                problems.add(id + "." + eventId + ": FunctionResponseTypes lacks ReportBatchItemFailures");
            }
        }));
        return problems;
    }

    /** No statement allows every resource or every action. */
    List<String> noPolicyGrantsEverything() {
        List<String> problems = new ArrayList<>();
        functions().forEach((id, properties) -> {
            if (!(properties.get("Policies") instanceof List<?> policies)) {
                return;
            }
            for (Object policy : policies) {
                if (!(policy instanceof Map<?, ?> document) || !(document.get("Statement") instanceof List<?> statements)) {
                    problems.add(id + ": policy " + policy + " is not an inline statement list (managed policies are not allowed)");
                    continue;
                }
                for (Object statement : statements) {
                    Map<?, ?> body = (Map<?, ?>) statement;
                    if (mentionsStar(body.get("Resource"))) {
                        problems.add(id + ": a statement grants Resource '*'");
                    }
                    if (mentionsStar(body.get("Action"))) {
                        problems.add(id + ": a statement grants a wildcard action");
                    }
                }
            }
        });
        return problems;
    }

    /** Every log group keeps its logs for a set time, and every function logs to one of them. */
    List<String> logGroupsHaveRetention() {
        List<String> problems = new ArrayList<>();
        resources().forEach((id, resource) -> {
            if ("AWS::Logs::LogGroup".equals(resource.get("Type")) && path(resource, "Properties", "RetentionInDays") == null) {
                problems.add(id + ": log group without RetentionInDays");
            }
        });
        functions().forEach((id, properties) -> {
            String group = logicalIdOf(path(properties, "LoggingConfig", "LogGroup"));
            Map<String, Object> resource = group == null ? null : resource(group);
            if (resource == null || !"AWS::Logs::LogGroup".equals(resource.get("Type"))) {
                problems.add(id + ": LoggingConfig.LogGroup does not name a log group of the template (Lambda's default group keeps logs forever)");
            }
        });
        return problems;
    }

    /** The event class a function's handler takes, from its RequestHandler type argument. */
    Map<String, Class<?>> eventTypes() {
        Map<String, Class<?>> types = new LinkedHashMap<>();
        functions().forEach((id, properties) -> {
            String className = ((String) properties.get("Handler")).split("::", 2)[0];
            try {
                for (Type implemented : Class.forName(className).getGenericInterfaces()) {
                    if (implemented instanceof ParameterizedType parameterized && parameterized.getRawType() == RequestHandler.class) {
                        types.put(id, (Class<?>) parameterized.getActualTypeArguments()[0]);
                    }
                }
            } catch (ClassNotFoundException e) {
                // reported by handlersExist
            }
        });
        return types;
    }

    Map<String, Map<String, Object>> functions() {
        Map<String, Map<String, Object>> functions = new LinkedHashMap<>();
        resources().forEach((id, resource) -> {
            if ("AWS::Serverless::Function".equals(resource.get("Type"))) {
                functions.put(id, asMap(resource.get("Properties")));
            }
        });
        return functions;
    }

    private Map<String, Map<String, Object>> resources() {
        Map<String, Map<String, Object>> resources = new LinkedHashMap<>();
        asMap(template.get("Resources")).forEach((id, resource) -> resources.put(id, asMap(resource)));
        return resources;
    }

    private Map<String, Object> resource(String id) {
        return id == null ? null : resources().get(id);
    }

    private int timeout(Map<String, Object> properties) {
        Object own = properties.get("Timeout");
        return number(own != null ? own : path(template, "Globals", "Function", "Timeout"), 3);
    }

    private static Map<String, Map<String, Object>> sqsEvents(Map<String, Object> properties) {
        Map<String, Map<String, Object>> events = new LinkedHashMap<>();
        asMap(properties.get("Events")).forEach((id, event) -> {
            Map<String, Object> body = asMap(event);
            if ("SQS".equals(body.get("Type"))) {
                events.put(id, asMap(body.get("Properties")));
            }
        });
        return events;
    }

    private static Map<String, Object> environment(Object owner) {
        return asMap(path(owner, "Environment", "Variables"));
    }

    /** The logical id an intrinsic points at: {Ref: X} or {Fn::GetAtt: [X, Arn]}. */
    private static String logicalIdOf(Object value) {
        if (value instanceof Map<?, ?> map) {
            if (map.get("Ref") instanceof String ref) {
                return ref;
            }
            if (map.get("Fn::GetAtt") instanceof List<?> getAtt && !getAtt.isEmpty()) {
                return String.valueOf(getAtt.get(0));
            }
        }
        return null;
    }

    private static boolean mentionsStar(Object value) {
        if (value instanceof String text) {
            return text.equals("*") || text.endsWith(":*") && !text.contains("/");
        }
        if (value instanceof List<?> list) {
            return list.stream().anyMatch(TemplateChecks::mentionsStar);
        }
        return false;
    }

    private static boolean hasHandlerMethod(Class<?> type, String name) {
        for (Method method : type.getMethods()) {
            if (method.getName().equals(name) && method.getParameterCount() == 2 && method.getParameterTypes()[1] == Context.class) {
                return true;
            }
        }
        return false;
    }

    /** A number, or a {@code !Ref} to a parameter: its Default (what a deployment gets unless it overrides it). */
    private int number(Object value, int fallback) {
        if (value == null) {
            return fallback;
        }
        if (value instanceof Map<?, ?> map && map.get("Ref") instanceof String parameter) {
            Object preset = path(template, "Parameters", parameter, "Default");
            if (preset == null) {
                throw new IllegalArgumentException("!Ref " + parameter + " names no parameter with a Default");
            }
            return Integer.parseInt(String.valueOf(preset));
        }
        return Integer.parseInt(String.valueOf(value));
    }

    /**
     * The worker's lease ends before its message can return: a message hides for VISIBILITY_SECONDS, which is each
     * of its queues' VisibilityTimeout, and a record is claimed within the worker's Timeout of its receive, so
     * VISIBILITY_SECONDS - LEASE_SECONDS covers that Timeout. A crashed attempt's message then comes back to a lease
     * that has ended, and the next receive claims it (no copy has to wait out a live lease).
     */
    List<String> leaseEndsBeforeTheMessageReturns() {
        List<String> problems = new ArrayList<>();
        Map<String, Object> globals = environment(path(template, "Globals", "Function"));
        functions().forEach((id, properties) -> {
            Map<String, Map<String, Object>> events = sqsEvents(properties);
            Map<String, Object> env = new LinkedHashMap<>(globals);
            env.putAll(environment(properties));
            // the function that claims jobs: the others' queues have visibility timeouts of their own
            if (!String.valueOf(properties.get("Handler")).startsWith(WorkerHandler.class.getName() + "::") || events.isEmpty()) {
                return;
            }
            int lease = number(env.get("LEASE_SECONDS"), 0);
            int visibility = number(env.get("VISIBILITY_SECONDS"), lease + 60);
            events.forEach((eventId, event) -> {
                String queueId = logicalIdOf(event.get("Queue"));
                int queueVisibility = number(path(resource(queueId), "Properties", "VisibilityTimeout"), 30);
                if (queueVisibility != visibility) {
                    problems.add(id + "." + eventId + ": " + queueId + " VisibilityTimeout " + queueVisibility
                            + " s is not the worker's VISIBILITY_SECONDS " + visibility + " s");
                }
            });
            if (visibility - lease < timeout(properties)) {
                problems.add(id + ": VISIBILITY_SECONDS " + visibility + " - LEASE_SECONDS " + lease
                        + " is under the function's " + timeout(properties) + " s Timeout: a crashed attempt's message could return while its lease is live");
            }
        });
        return problems;
    }

    static Object path(Object root, String... keys) {
        Object current = root;
        for (String key : keys) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(key);
        }
        return current;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object value) {
        return value instanceof Map<?, ?> ? (Map<String, Object>) value : Map.of();
    }
}
