package dev.jobline.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A read-only view of a parsed CloudFormation / SAM template (long-form intrinsics, see {@link CfnYaml}). */
final class CfnTemplate {

    private final Path path;
    private final Map<String, Object> root;
    private final Map<String, Map<String, Object>> resources;

    private CfnTemplate(Path path, Map<String, Object> root) {
        this.path = path;
        this.root = root;
        Map<String, Map<String, Object>> byId = new LinkedHashMap<>();
        section("Resources").forEach((id, resource) -> byId.put(id, map(resource, "Resources." + id)));
        this.resources = java.util.Collections.unmodifiableMap(byId);
    }

    static CfnTemplate load(Path path) {
        try {
            return new CfnTemplate(path, CfnYaml.load(path));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read template " + path, e);
        }
    }

    static CfnTemplate of(Map<String, Object> root) {
        return new CfnTemplate(null, root);
    }

    Path path() {
        return path;
    }

    Map<String, Object> parameters() {
        return section("Parameters");
    }

    Map<String, Object> conditions() {
        return section("Conditions");
    }

    Map<String, Object> mappings() {
        return section("Mappings");
    }

    /** Logical id to resource definition (Type, Properties, DependsOn, ...), in template order. */
    Map<String, Map<String, Object>> resources() {
        return resources;
    }

    String type(String logicalId) {
        Map<String, Object> resource = resources().get(logicalId);
        return resource == null ? null : (String) resource.get("Type");
    }

    static Map<String, Object> properties(Map<String, Object> resource) {
        return map(resource.get("Properties"), "Properties");
    }

    static List<String> dependsOn(Map<String, Object> resource) {
        Object dependsOn = resource.get("DependsOn");
        if (dependsOn == null) {
            return List.of();
        }
        if (dependsOn instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        return List.of(String.valueOf(dependsOn));
    }

    /** Globals.Function (SAM), or an empty map. */
    Map<String, Object> functionGlobals() {
        return map(section("Globals").get("Function"), "Globals.Function");
    }

    private Map<String, Object> section(String name) {
        return map(root.get(name), name);
    }

    /** The value as a map: null becomes an empty map, anything else that is not a map is an error. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value, String what) {
        if (value == null) {
            return Map.of();
        }
        if (value instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw new IllegalArgumentException(what + " is not a mapping: " + value);
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object value, String what) {
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?> l) {
            return (List<Object>) l;
        }
        throw new IllegalArgumentException(what + " is not a list: " + value);
    }
}
