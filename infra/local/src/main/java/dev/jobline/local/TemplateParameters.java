package dev.jobline.local;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parameter values for running a template locally: the ones given, and for every parameter with neither a value nor
 * a Default, a local stand-in that passes its constraints (first AllowedValue, MinValue, MinLength, MaxLength), so
 * that {@code ./jobline run} works without arguments. A stand-in is no secret: it is for a local stack only.
 */
public final class TemplateParameters {

    private TemplateParameters() {
    }

    /** The given values plus a stand-in for each parameter that has no Default and was not given. */
    public static Map<String, String> withLocalStandIns(Path template, Map<String, String> given) {
        Map<String, String> values = new LinkedHashMap<>(given);
        standIns(template, given).forEach(values::putIfAbsent);
        return values;
    }

    /** The stand-ins alone: parameter name to value, for the ones without a Default that were not given. */
    public static Map<String, String> standIns(Path template, Map<String, String> given) {
        Map<String, String> standIns = new LinkedHashMap<>();
        CfnTemplate.load(template).parameters().forEach((name, definition) -> {
            Map<String, Object> parameter = CfnTemplate.map(definition, "Parameters." + name);
            if (!given.containsKey(name) && parameter.get("Default") == null) {
                standIns.put(name, standIn(name, parameter));
            }
        });
        return standIns;
    }

    private static String standIn(String name, Map<String, Object> parameter) {
        List<Object> allowed = CfnTemplate.list(parameter.get("AllowedValues"), "AllowedValues");
        if (!allowed.isEmpty()) {
            return String.valueOf(allowed.get(0));
        }
        String type = String.valueOf(parameter.getOrDefault("Type", "String"));
        if (type.equals("Number")) {
            return String.valueOf(parameter.getOrDefault("MinValue", "0"));
        }
        String value = "local-" + name;
        int min = number(parameter.get("MinLength"), 0);
        int max = number(parameter.get("MaxLength"), Integer.MAX_VALUE);
        if (value.length() < min) {
            value = value + "-" + "0".repeat(Math.max(0, min - value.length() - 1));
        }
        return value.length() > max ? value.substring(0, max) : value;
    }

    private static int number(Object value, int fallback) {
        try {
            return value == null ? fallback : Integer.parseInt(String.valueOf(value));
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
