package dev.jobline.local;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads CloudFormation / SAM YAML into plain Java maps, lists and scalars, turning the short-form intrinsic tags
 * ({@code !Ref X}, {@code !GetAtt A.B}, {@code !Sub ...}, ...) into their long forms ({@code {"Ref": "X"}},
 * {@code {"Fn::GetAtt": ["A", "B"]}}, {@code {"Fn::Sub": ...}}), so that the rest of the code sees one form only.
 */
public final class CfnYaml {

    /** Short tag name (without the {@code !}) to the long-form key it becomes. */
    private static final Map<String, String> TAGS = new LinkedHashMap<>();

    static {
        TAGS.put("Ref", "Ref");
        TAGS.put("Condition", "Condition");
        for (String fn : List.of("GetAtt", "Sub", "Join", "If", "Select", "Split", "GetAZs", "FindInMap", "Equals",
                "Not", "And", "Or", "ImportValue", "Base64", "Cidr", "Length", "ToJsonString", "Transform")) {
            TAGS.put(fn, "Fn::" + fn);
        }
    }

    private CfnYaml() {
    }

    /** Parses a template file; the root must be a mapping. */
    public static Map<String, Object> load(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return asRoot(yaml().load(reader), file.toString());
        }
    }

    /** Parses YAML text (any root: mapping, sequence or scalar). */
    public static Object parse(String yamlText) {
        return yaml().load(yamlText);
    }

    private static Map<String, Object> asRoot(Object root, String what) {
        if (!(root instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(what + ": the template's root is not a mapping");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) map;
        return result;
    }

    private static Yaml yaml() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        return new Yaml(new CfnConstructor(options));
    }

    private static final class CfnConstructor extends SafeConstructor {

        CfnConstructor(LoaderOptions options) {
            super(options);
            TAGS.forEach((tag, key) -> yamlConstructors.put(new Tag("!" + tag), new Intrinsic(tag, key)));
        }

        private final class Intrinsic extends AbstractConstruct {
            private final String tag;
            private final String key;

            Intrinsic(String tag, String key) {
                this.tag = tag;
                this.key = key;
            }

            @Override
            public Object construct(Node node) {
                Object value;
                if (node instanceof ScalarNode scalar) {
                    value = constructScalar(scalar);
                    if (tag.equals("GetAtt")) {
                        value = splitGetAtt((String) value);
                    }
                } else if (node instanceof SequenceNode sequence) {
                    value = new ArrayList<>(constructSequence(sequence));
                } else if (node instanceof MappingNode mapping) {
                    value = new LinkedHashMap<>(constructMapping(mapping));
                } else {
                    throw new IllegalArgumentException("!" + tag + " on an unsupported node: " + node);
                }
                Map<String, Object> longForm = new LinkedHashMap<>();
                longForm.put(key, value);
                return longForm;
            }
        }
    }

    /** {@code !GetAtt Resource.Attr.Sub} names the resource up to the first dot; the rest is the attribute. */
    static List<Object> splitGetAtt(String value) {
        int dot = value.indexOf('.');
        if (dot <= 0 || dot == value.length() - 1) {
            throw new IllegalArgumentException("!GetAtt needs Resource.Attribute, got: " + value);
        }
        return new ArrayList<>(List.of(value.substring(0, dot), value.substring(dot + 1)));
    }
}
