package dev.jobline.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class IntrinsicsTest {

    private static final String TEMPLATE = """
            Parameters:
              Env:
                Type: String
                Default: dev
              Retention:
                Type: Number
                Default: 7
              Audiences:
                Type: CommaDelimitedList
                Default: "a, b"
              Issuer:
                Type: String
            Conditions:
              IsProd: !Equals [!Ref Env, prod]
              IsNotProd: !Not [!Condition IsProd]
              Both: !And [!Condition IsNotProd, !Equals [!Ref Retention, "7"]]
            Mappings:
              Sizes:
                dev: {Memory: 256}
                prod: {Memory: 2048}
            Resources:
              Table:
                Type: AWS::DynamoDB::Table
              Api:
                Type: AWS::Serverless::HttpApi
            """;

    private static Intrinsics intrinsics(Map<String, String> overrides) {
        @SuppressWarnings("unchecked")
        CfnTemplate template = CfnTemplate.of((Map<String, Object>) CfnYaml.parse(TEMPLATE));
        Intrinsics.ResourceValues values = new Intrinsics.ResourceValues() {
            @Override
            public Object ref(String logicalId) {
                if (logicalId.equals("Table")) {
                    return "p1-Table";
                }
                throw new Intrinsics.UnresolvableException(logicalId + " is not emulated");
            }

            @Override
            public Object getAtt(String logicalId, String attribute) {
                if (logicalId.equals("Table") && attribute.equals("Arn")) {
                    return "arn:aws:dynamodb:us-east-1:000000000000:table/p1-Table";
                }
                throw new Intrinsics.UnresolvableException(logicalId + "." + attribute + " is not emulated");
            }
        };
        return new Intrinsics(template, overrides,
                Intrinsics.pseudoParameters("us-east-1", "000000000000", "stack"), values);
    }

    private static Object resolve(String yaml) {
        return intrinsics(Map.of()).resolve(((Map<?, ?>) CfnYaml.parse("v: " + yaml)).get("v"));
    }

    @Test
    void refsAndSubs() {
        assertEquals("p1-Table", resolve("!Ref Table"));
        assertEquals("7", resolve("!Ref Retention"));
        assertEquals(List.of("a", "b"), resolve("!Ref Audiences"));
        assertEquals("arn:aws:dynamodb:us-east-1:000000000000:table/p1-Table/index/*",
                resolve("!Sub \"${Table.Arn}/index/*\""));
        assertEquals("p1-Table in us-east-1 of 000000000000 (stack), ${Literal}",
                resolve("!Sub \"${Table} in ${AWS::Region} of ${AWS::AccountId} (${AWS::StackName}), ${!Literal}\""));
        assertEquals("dev-7", resolve("!Sub [\"${E}-${Retention}\", {E: !Ref Env}]"));
    }

    @Test
    void functionsAndConditions() {
        assertEquals("a:b", resolve("!Join [\":\", !Ref Audiences]"));
        assertEquals("y", resolve("!Select [1, !Split [\",\", \"x,y,z\"]]"));
        assertEquals(256, resolve("!FindInMap [Sizes, !Ref Env, Memory]"));
        assertEquals("small", resolve("!If [IsProd, big, small]"));
        assertEquals("first", resolve("!If [Both, first, second]"));
        assertEquals(List.of("a"), resolve("[a, !If [IsProd, b, !Ref \"AWS::NoValue\"]]"));
        assertEquals(List.of("us-east-1a", "us-east-1b", "us-east-1c"), resolve("!GetAZs \"\""));
        assertEquals("aGk=", resolve("!Base64 hi"));
    }

    @Test
    void overridesWinOverDefaults() {
        Intrinsics prod = intrinsics(Map.of("Env", "prod", "Issuer", "https://issuer"));
        assertEquals("big", prod.resolve(Map.of("Fn::If", List.of("IsProd", "big", "small"))));
        assertEquals("https://issuer", prod.resolve(Map.of("Ref", "Issuer")));
    }

    @Test
    void strictFailsAndLenientKeepsWhatIsNotLocal() {
        Intrinsics intrinsics = intrinsics(Map.of());
        Exception noDefault = assertThrows(IllegalStateException.class,
                () -> intrinsics.resolve(Map.of("Ref", "Issuer")));
        assertTrue(noDefault.getMessage().contains("Issuer"), noDefault.getMessage());
        assertThrows(IllegalStateException.class, () -> intrinsics.resolve(Map.of("Ref", "Api")));
        assertThrows(IllegalStateException.class, () -> intrinsics.resolve(Map.of("Fn::ImportValue", "x")));
        assertThrows(IllegalStateException.class, () -> intrinsics.resolve(Map.of("Ref", "Nope")));

        Object lenient = intrinsics.resolveLeniently(Map.of("ApiId", Map.of("Ref", "Api"), "Table",
                Map.of("Ref", "Table")));
        assertEquals(Map.of("ApiId", Map.of("Ref", "Api"), "Table", "p1-Table"), lenient);
    }
}
