package dev.jobline.template;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.jobline.config.Config;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Rules a deployable template.yaml must keep, checked on the parsed template (long-form
 * intrinsics, as {@code CfnYaml} gives them). Each check returns what it found wrong, so a test can
 * show the rule holds on the real template and breaks on a damaged copy.
 */
final class TemplateChecks {
    private final Map<String, Object> template;

    TemplateChecks(Map<String, Object> template) {
        this.template = template;
    }

    List<String> all() {
        List<String> problems = new ArrayList<>();
        problems.addAll(handlersExist());
        problems.addAll(environmentIsComplete());
        problems.addAll(visibilityCoversSixTimesTheTimeout());
        problems.addAll(sqsEventsReportBatchItemFailures());
        problems.addAll(noPolicyGrantsEverything());
        problems.addAll(logGroupsHaveRetention());
        return problems;
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

    /** Every variable Config requires is set for every function; every variable set is one Config reads. */
    List<String> environmentIsComplete() {
        List<String> problems = new ArrayList<>();
        Set<String> known = new TreeSet<>(Config.REQUIRED);
        known.addAll(Config.OPTIONAL);
        known.add("JAVA_TOOL_OPTIONS");
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

    private static int number(Object value, int fallback) {
        if (value == null) {
            return fallback;
        }
        return Integer.parseInt(String.valueOf(value));
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
