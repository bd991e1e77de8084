package dev.jobline.local;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Resolves CloudFormation intrinsic functions (long forms) against local values: parameters (their Default unless
 * overridden), pseudo parameters, conditions, mappings, and the emulated resources through {@link ResourceValues}.
 *
 * <p>Strict resolution throws {@link UnresolvableException} for anything it cannot resolve locally; lenient
 * resolution leaves such an intrinsic in its long form (used for the function model, where e.g. an HttpApi event's
 * {@code ApiId: !Ref JobsApi} names a resource that is not emulated).
 */
final class Intrinsics {

    /** What {@code Ref AWS::NoValue} resolves to: removed from the enclosing map or list. */
    static final Object NO_VALUE = new Object() {
        @Override
        public String toString() {
            return "AWS::NoValue";
        }
    };

    /** The values of the emulated resources. */
    interface ResourceValues {
        /** The Ref value of a resource, or throws {@link UnresolvableException}. */
        Object ref(String logicalId);

        /** A GetAtt value of a resource, or throws {@link UnresolvableException}. */
        Object getAtt(String logicalId, String attribute);
    }

    static final class UnresolvableException extends IllegalStateException {
        UnresolvableException(String message) {
            super(message);
        }
    }

    private final CfnTemplate template;
    private final Map<String, String> parameterOverrides;
    private final Map<String, Object> pseudoParameters;
    private final ResourceValues resources;
    private final Map<String, Boolean> conditionValues = new HashMap<>();
    private final Set<String> conditionsInProgress = new HashSet<>();

    Intrinsics(CfnTemplate template, Map<String, String> parameterOverrides, Map<String, Object> pseudoParameters,
            ResourceValues resources) {
        this.template = template;
        this.parameterOverrides = Map.copyOf(parameterOverrides);
        this.pseudoParameters = Map.copyOf(pseudoParameters);
        this.resources = resources;
    }

    /** Standard pseudo parameters for a local stack. */
    static Map<String, Object> pseudoParameters(String region, String accountId, String stackName) {
        Map<String, Object> pseudo = new HashMap<>();
        pseudo.put("AWS::Region", region);
        pseudo.put("AWS::AccountId", accountId);
        pseudo.put("AWS::StackName", stackName);
        pseudo.put("AWS::StackId",
                "arn:aws:cloudformation:" + region + ":" + accountId + ":stack/" + stackName + "/local");
        pseudo.put("AWS::Partition", "aws");
        pseudo.put("AWS::URLSuffix", "amazonaws.com");
        pseudo.put("AWS::NotificationARNs", List.of());
        return pseudo;
    }

    /** Resolves every intrinsic in the value; throws {@link UnresolvableException} for one it cannot resolve. */
    Object resolve(Object value) {
        return resolve(value, true);
    }

    /** Resolves what it can and leaves the intrinsics it cannot resolve in their long form. */
    Object resolveLeniently(Object value) {
        return resolve(value, false);
    }

    /** Resolves strictly to a string (numbers and booleans as text, lists joined with commas). */
    String resolveText(Object value, String what) {
        Object resolved = resolve(value, true);
        try {
            return text(resolved);
        } catch (UnresolvableException e) {
            throw new UnresolvableException(what + ": " + e.getMessage());
        }
    }

    static boolean isIntrinsic(Object value) {
        if (value instanceof Map<?, ?> map && map.size() == 1) {
            Object key = map.keySet().iterator().next();
            return key instanceof String name && (name.equals("Ref") || name.startsWith("Fn::"));
        }
        return false;
    }

    private Object resolve(Object value, boolean strict) {
        if (isIntrinsic(value)) {
            Map.Entry<?, ?> entry = ((Map<?, ?>) value).entrySet().iterator().next();
            try {
                return intrinsic((String) entry.getKey(), entry.getValue(), strict);
            } catch (UnresolvableException e) {
                if (strict) {
                    throw e;
                }
                return value;
            }
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> resolved = new LinkedHashMap<>();
            map.forEach((k, v) -> {
                Object r = resolve(v, strict);
                if (r != NO_VALUE) {
                    resolved.put(k, r);
                }
            });
            return resolved;
        }
        if (value instanceof List<?> list) {
            List<Object> resolved = new ArrayList<>();
            for (Object item : list) {
                Object r = resolve(item, strict);
                if (r != NO_VALUE) {
                    resolved.add(r);
                }
            }
            return resolved;
        }
        return value;
    }

    private Object intrinsic(String function, Object argument, boolean strict) {
        switch (function) {
            case "Ref":
                return ref(text(resolve(argument, true)));
            case "Fn::GetAtt":
                return getAtt(argument);
            case "Fn::Sub":
                return sub(argument);
            case "Fn::Join": {
                List<Object> args = args(function, argument, 2);
                String delimiter = text(resolve(args.get(0), true));
                List<String> parts = new ArrayList<>();
                for (Object part : asList(resolve(args.get(1), true), function)) {
                    parts.add(text(part));
                }
                return String.join(delimiter, parts);
            }
            case "Fn::Select": {
                List<Object> args = args(function, argument, 2);
                int index = Integer.parseInt(text(resolve(args.get(0), true)).trim());
                List<Object> list = asList(resolve(args.get(1), true), function);
                if (index < 0 || index >= list.size()) {
                    throw new UnresolvableException("Fn::Select index " + index + " is out of " + list);
                }
                return list.get(index);
            }
            case "Fn::Split": {
                List<Object> args = args(function, argument, 2);
                String delimiter = text(resolve(args.get(0), true));
                String source = text(resolve(args.get(1), true));
                return new ArrayList<Object>(List.of(source.split(Pattern.quote(delimiter), -1)));
            }
            case "Fn::If": {
                List<Object> args = args(function, argument, 3);
                return resolve(condition(text(args.get(0))) ? args.get(1) : args.get(2), strict);
            }
            case "Fn::Equals":
            case "Fn::Not":
            case "Fn::And":
            case "Fn::Or":
                return evaluate(Map.of(function, argument));
            case "Fn::FindInMap":
                return findInMap(argument);
            case "Fn::Base64":
                return Base64.getEncoder()
                        .encodeToString(text(resolve(argument, true)).getBytes(StandardCharsets.UTF_8));
            case "Fn::GetAZs": {
                String region = text(resolve(argument, true));
                String r = region.isEmpty() ? (String) pseudoParameters.get("AWS::Region") : region;
                return new ArrayList<Object>(List.of(r + "a", r + "b", r + "c"));
            }
            case "Fn::Length":
                return asList(resolve(argument, true), function).size();
            default:
                throw new UnresolvableException(function + " cannot be resolved locally");
        }
    }

    private Object ref(String name) {
        if (name.equals("AWS::NoValue")) {
            return NO_VALUE;
        }
        if (pseudoParameters.containsKey(name)) {
            return pseudoParameters.get(name);
        }
        if (template.parameters().containsKey(name)) {
            return parameter(name);
        }
        if (template.resources().containsKey(name)) {
            return resources.ref(name);
        }
        throw new UnresolvableException("Ref to " + name + ", which is no parameter, pseudo parameter or resource");
    }

    private Object parameter(String name) {
        Map<String, Object> definition = CfnTemplate.map(template.parameters().get(name), "Parameters." + name);
        Object value = parameterOverrides.containsKey(name) ? parameterOverrides.get(name) : definition.get("Default");
        if (value == null) {
            throw new UnresolvableException("parameter " + name + " has no Default; pass a value for it");
        }
        String type = String.valueOf(definition.getOrDefault("Type", "String"));
        if (type.equals("CommaDelimitedList") || type.startsWith("List<")) {
            if (value instanceof List<?> list) {
                return new ArrayList<Object>(list.stream().map(Intrinsics::text).toList());
            }
            List<Object> items = new ArrayList<>();
            for (String item : text(value).split(",", -1)) {
                items.add(item.trim());
            }
            return items;
        }
        return text(value);
    }

    private Object getAtt(Object argument) {
        List<Object> args;
        if (argument instanceof String dotted) {
            args = CfnYaml.splitGetAtt(dotted);
        } else {
            args = args("Fn::GetAtt", argument, 2);
        }
        String logicalId = text(resolve(args.get(0), true));
        String attribute = text(resolve(args.get(1), true));
        if (!template.resources().containsKey(logicalId)) {
            throw new UnresolvableException("Fn::GetAtt on " + logicalId + ", which is no resource of the template");
        }
        return resources.getAtt(logicalId, attribute);
    }

    private String sub(Object argument) {
        String source;
        Map<String, Object> variables;
        if (argument instanceof String s) {
            source = s;
            variables = Map.of();
        } else {
            List<Object> args = args("Fn::Sub", argument, 2);
            source = text(args.get(0));
            variables = CfnTemplate.map(args.get(1), "Fn::Sub variables");
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < source.length()) {
            int start = source.indexOf("${", i);
            int end = start < 0 ? -1 : source.indexOf('}', start);
            if (start < 0 || end < 0) {
                out.append(source, i, source.length());
                break;
            }
            out.append(source, i, start);
            String name = source.substring(start + 2, end).trim();
            if (name.startsWith("!")) {
                out.append("${").append(name.substring(1)).append('}');
            } else if (variables.containsKey(name)) {
                out.append(text(resolve(variables.get(name), true)));
            } else if (name.contains(".") && !name.startsWith("AWS::")) {
                out.append(text(getAtt(name)));
            } else {
                out.append(text(ref(name)));
            }
            i = end + 1;
        }
        return out.toString();
    }

    private Object findInMap(Object argument) {
        List<Object> args = CfnTemplate.list(argument, "Fn::FindInMap");
        if (args.size() < 3) {
            throw new UnresolvableException("Fn::FindInMap needs [MapName, TopLevelKey, SecondLevelKey]: " + args);
        }
        String mapName = text(resolve(args.get(0), true));
        String top = text(resolve(args.get(1), true));
        String second = text(resolve(args.get(2), true));
        Object value = CfnTemplate.map(CfnTemplate.map(template.mappings().get(mapName), mapName).get(top), top)
                .get(second);
        if (value == null && args.size() > 3) {
            value = CfnTemplate.map(args.get(3), "Fn::FindInMap default").get("DefaultValue");
        }
        if (value == null) {
            throw new UnresolvableException("Fn::FindInMap found nothing at " + mapName + "." + top + "." + second);
        }
        return resolve(value, true);
    }

    /** Evaluates a named condition of the template's Conditions section. */
    boolean condition(String name) {
        Boolean known = conditionValues.get(name);
        if (known != null) {
            return known;
        }
        if (!template.conditions().containsKey(name)) {
            throw new UnresolvableException("no condition " + name + " in the template");
        }
        if (!conditionsInProgress.add(name)) {
            throw new UnresolvableException("condition " + name + " depends on itself");
        }
        boolean value = evaluate(template.conditions().get(name));
        conditionsInProgress.remove(name);
        conditionValues.put(name, value);
        return value;
    }

    private boolean evaluate(Object expression) {
        if (expression instanceof Boolean b) {
            return b;
        }
        if (expression instanceof Map<?, ?> map && map.size() == 1) {
            Map.Entry<?, ?> entry = map.entrySet().iterator().next();
            Object argument = entry.getValue();
            switch (String.valueOf(entry.getKey())) {
                case "Condition":
                    return condition(text(argument));
                case "Fn::Equals": {
                    List<Object> args = args("Fn::Equals", argument, 2);
                    return Objects.equals(text(resolve(args.get(0), true)), text(resolve(args.get(1), true)));
                }
                case "Fn::Not":
                    return !evaluate(args("Fn::Not", argument, 1).get(0));
                case "Fn::And":
                    return CfnTemplate.list(argument, "Fn::And").stream().allMatch(this::evaluate);
                case "Fn::Or":
                    return CfnTemplate.list(argument, "Fn::Or").stream().anyMatch(this::evaluate);
                default:
                    break;
            }
        }
        Object resolved = resolve(expression, true);
        if (resolved instanceof Boolean b) {
            return b;
        }
        return Boolean.parseBoolean(text(resolved));
    }

    private static List<Object> args(String function, Object argument, int count) {
        List<Object> args = CfnTemplate.list(argument, function);
        if (args.size() != count) {
            throw new UnresolvableException(function + " needs " + count + " arguments, got " + args);
        }
        return args;
    }

    private static List<Object> asList(Object value, String function) {
        if (value instanceof List<?> list) {
            return new ArrayList<>(list);
        }
        throw new UnresolvableException(function + " needs a list, got " + value);
    }

    /** A resolved scalar as text: numbers and booleans as written, lists joined with commas. */
    static String text(Object value) {
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof Number || value instanceof Boolean) {
            return String.valueOf(value);
        }
        if (value instanceof List<?> list) {
            List<String> parts = new ArrayList<>();
            for (Object item : list) {
                parts.add(text(item));
            }
            return String.join(",", parts);
        }
        throw new UnresolvableException("not a resolvable string: " + value);
    }
}
