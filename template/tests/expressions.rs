//! The expression language, function by function: a table of expression → value or error.
//! Every case runs against the same parameters, variables, context and host (see `setup`).

mod common;

use armtemplate::{evaluate, Map, Value};
use common::{ctx, MemHost, SUB};
use rstest::rstest;
use serde_json::json;

const STORAGE: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/sa1";

fn setup() -> (Map<String, Value>, Map<String, Value>, MemHost) {
    let params = json!({
        "str": "Hello", "num": 5, "obj": {"a": 1, "B": {"c": "x"}}, "arr": [1, 2, 3], "empty": "",
        "nothing": null, "flag": true, "name": "sa1"
    });
    let vars = json!({"v": "var", "list": ["a", "b"]});
    let host = MemHost::default();
    host.put(STORAGE, json!({"id": STORAGE, "name": "sa1", "type": "Microsoft.Storage/storageAccounts", "location": "eastus", "properties": {"primaryEndpoints": {"blob": "https://sa1.blob.core.windows.net/"}}}));
    let as_map = |v: Value| v.as_object().cloned().unwrap_or_default();
    (as_map(params), as_map(vars), host)
}

fn run(text: &str) -> Result<Value, armtemplate::TemplateError> {
    let (p, v, host) = setup();
    evaluate(text, &p, &v, &ctx(), &host)
}

#[rstest]
// Literals, escapes, member and index access.
#[case::literal("plain", json!("plain"))]
#[case::escape("[[notAnExpression]", json!("[notAnExpression]"))]
#[case::not_closed("[abc", json!("[abc"))]
#[case::string_quote("['it''s']", json!("it's"))]
#[case::negative_int("[-3]", json!(-3))]
#[case::member_ci("[parameters('obj').b.C]", json!("x"))]
#[case::index_object("[parameters('obj')['a']]", json!(1))]
#[case::index_array("[parameters('arr')[2]]", json!(3))]
#[case::index_expr("[parameters('arr')[sub(length(parameters('arr')), 1)]]", json!(3))]
#[case::whitespace("[ add( 1 ,  2 ) ]", json!(3))]
#[case::case_insensitive_name("[ADD(1, 2)]", json!(3))]
// Arrays and objects.
#[case::array_wrap("[array('a')]", json!(["a"]))]
#[case::array_keep("[array(parameters('arr'))]", json!([1, 2, 3]))]
#[case::concat_arrays("[concat(parameters('arr'), createArray(4))]", json!([1, 2, 3, 4]))]
#[case::concat_strings("[concat('a', 1, true())]", json!("a1True"))]
#[case::contains_array("[contains(parameters('arr'), 2)]", json!(true))]
#[case::contains_object_ci("[contains(parameters('obj'), 'b')]", json!(true))]
#[case::contains_string_cs("[contains('Hello', 'hello')]", json!(false))]
#[case::create_array("[createArray(1, 'a', true())]", json!([1, "a", true]))]
#[case::create_object("[createObject('k', 1, 'l', createArray())]", json!({"k": 1, "l": []}))]
#[case::empty_string("[empty(parameters('empty'))]", json!(true))]
#[case::empty_null("[empty(parameters('nothing'))]", json!(true))]
#[case::empty_array("[empty(parameters('arr'))]", json!(false))]
#[case::first_array("[first(parameters('arr'))]", json!(1))]
#[case::first_string("[first('abc')]", json!("a"))]
#[case::last_array("[last(parameters('arr'))]", json!(3))]
#[case::last_empty("[last(createArray())]", json!(null))]
#[case::index_of_string_ci("[indexOf('abcdef', 'CD')]", json!(2))]
#[case::index_of_missing("[indexOf('abc', 'z')]", json!(-1))]
#[case::index_of_array("[indexOf(createArray('a', 'b', 'a'), 'a')]", json!(0))]
#[case::last_index_of("[lastIndexOf(createArray('a', 'b', 'a'), 'a')]", json!(2))]
#[case::last_index_of_string("[lastIndexOf('abcabc', 'bc')]", json!(4))]
#[case::intersection_arrays("[intersection(createArray(1, 2, 3), createArray(2, 3, 4))]", json!([2, 3]))]
#[case::intersection_objects("[intersection(json('{\"a\":1,\"b\":2}'), json('{\"a\":1,\"b\":3}'))]", json!({"a": 1}))]
#[case::union_arrays("[union(createArray(1, 2), createArray(2, 3))]", json!([1, 2, 3]))]
#[case::union_objects("[union(json('{\"a\":1,\"n\":{\"x\":1}}'), json('{\"b\":2,\"n\":{\"y\":2}}'))]", json!({"a": 1, "n": {"x": 1, "y": 2}, "b": 2}))]
#[case::items("[items(json('{\"b\":2,\"a\":1}'))]", json!([{"key": "a", "value": 1}, {"key": "b", "value": 2}]))]
#[case::json_object("[json('{\"a\": [1]}').a[0]]", json!(1))]
#[case::json_null("[json('null')]", json!(null))]
#[case::join("[join(createArray('a', 'b'), ',')]", json!("a,b"))]
#[case::length_array("[length(parameters('arr'))]", json!(3))]
#[case::length_string("[length('héllo')]", json!(5))]
#[case::length_object("[length(parameters('obj'))]", json!(2))]
#[case::min_args("[min(3, 1, 2)]", json!(1))]
#[case::min_array("[min(parameters('arr'))]", json!(1))]
#[case::max_args("[max(3, 1, 2)]", json!(3))]
#[case::max_array("[max(parameters('arr'))]", json!(3))]
#[case::range("[range(5, 3)]", json!([5, 6, 7]))]
#[case::skip_array("[skip(parameters('arr'), 2)]", json!([3]))]
#[case::skip_string("[skip('hello', 10)]", json!(""))]
#[case::take_array("[take(parameters('arr'), 2)]", json!([1, 2]))]
#[case::take_string("[take('hello', 2)]", json!("he"))]
// Comparison and logic.
#[case::equals_strings_cs("[equals('a', 'A')]", json!(false))]
#[case::equals_objects("[equals(json('{\"a\":[1]}'), json('{\"a\":[1]}'))]", json!(true))]
#[case::greater("[greater(2, 1)]", json!(true))]
#[case::greater_strings("[greater('b', 'a')]", json!(true))]
#[case::greater_or_equals("[greaterOrEquals(1, 1)]", json!(true))]
#[case::less("[less(1, 2)]", json!(true))]
#[case::less_or_equals("[lessOrEquals(3, 2)]", json!(false))]
#[case::coalesce("[coalesce(null(), parameters('nothing'), 'x')]", json!("x"))]
#[case::coalesce_all_null("[coalesce(null(), null())]", json!(null))]
#[case::and("[and(true(), true(), false())]", json!(false))]
#[case::or("[or(false(), true())]", json!(true))]
#[case::not("[not(parameters('flag'))]", json!(false))]
#[case::if_true("[if(true(), 'yes', 'no')]", json!("yes"))]
#[case::if_lazy("[if(false(), parameters('missing'), 'safe')]", json!("safe"))]
#[case::if_lazy_reference("[if(equals(1, 2), reference('nowhere').x, 'skipped')]", json!("skipped"))]
#[case::bool_string("[bool('TRUE')]", json!(true))]
#[case::bool_int("[bool(0)]", json!(false))]
#[case::true_fn("[true()]", json!(true))]
#[case::false_fn("[false()]", json!(false))]
#[case::null_fn("[null()]", json!(null))]
// Numbers.
#[case::add("[add(-1, 3)]", json!(2))]
#[case::sub("[sub(1, 3)]", json!(-2))]
#[case::mul("[mul(4, 3)]", json!(12))]
#[case::div("[div(7, 2)]", json!(3))]
#[case::mod_("[mod(7, 2)]", json!(1))]
#[case::int_string("[int('42')]", json!(42))]
#[case::int_int("[int(7)]", json!(7))]
// Strings.
#[case::base64("[base64('one, two, three')]", json!("b25lLCB0d28sIHRocmVl"))]
#[case::base64_to_string("[base64ToString('b25lLCB0d28sIHRocmVl')]", json!("one, two, three"))]
#[case::base64_to_json("[base64ToJson(base64('{\"one\": \"a\"}'))]", json!({"one": "a"}))]
#[case::data_uri("[dataUri('Hello')]", json!("data:text/plain;charset=utf8;base64,SGVsbG8="))]
#[case::data_uri_to_string("[dataUriToString('data:;base64,SGVsbG8sIFdvcmxkIQ==')]", json!("Hello, World!"))]
#[case::ends_with_ci("[endsWith('abcdef', 'EF')]", json!(true))]
#[case::starts_with_ci("[startsWith('abcdef', 'AB')]", json!(true))]
#[case::starts_with_false("[startsWith('abcdef', 'b')]", json!(false))]
#[case::format("[format('{0}-{1:D3}-{{x}}', 'a', 7)]", json!("a-007-{x}"))]
#[case::format_n("[format('{0:N0}', 1234567)]", json!("1,234,567"))]
#[case::pad_left("[padLeft('123', 6, '0')]", json!("000123"))]
#[case::pad_left_int("[padLeft(7, 3)]", json!("  7"))]
#[case::replace("[replace('1-2-3', '-', '')]", json!("123"))]
#[case::split("[split('a,b;c', createArray(',', ';'))]", json!(["a", "b", "c"]))]
#[case::split_string("[split('a,b', ',')]", json!(["a", "b"]))]
#[case::string_bool("[string(true())]", json!("True"))]
#[case::string_int("[string(5)]", json!("5"))]
#[case::string_object("[string(json('{\"a\": 1}'))]", json!("{\"a\":1}"))]
#[case::substring("[substring('hello', 1, 3)]", json!("ell"))]
#[case::substring_rest("[substring('hello', 2)]", json!("llo"))]
#[case::to_lower("[toLower('AbC')]", json!("abc"))]
#[case::to_upper("[toUpper('AbC')]", json!("ABC"))]
#[case::trim("[trim('  x  ')]", json!("x"))]
#[case::uri("[uri('http://contoso.org/firstpath', 'myscript.sh')]", json!("http://contoso.org/myscript.sh"))]
#[case::uri_slash("[uri('http://contoso.org/firstpath/', 'myscript.sh')]", json!("http://contoso.org/firstpath/myscript.sh"))]
#[case::uri_component("[uriComponent('http://contoso.com/resources/nested/azuredeploy.json')]", json!("http%3A%2F%2Fcontoso.com%2Fresources%2Fnested%2Fazuredeploy.json"))]
#[case::uri_component_to_string("[uriComponentToString('http%3A%2F%2Fcontoso.com')]", json!("http://contoso.com"))]
#[case::date_time_add("[dateTimeAdd('2020-04-07 14:53:14Z', 'P3Y')]", json!("4/7/2023 2:53:14 PM"))]
#[case::date_time_add_format("[dateTimeAdd('2020-04-07T14:53:14Z', '-PT1H30M', 'yyyy-MM-ddTHH:mm:ssZ')]", json!("2020-04-07T13:23:14Z"))]
// uniqueString: published input/output pairs.
// Stack Overflow question 43295720 ("Azure ARM uniqueString function mimic"), answer by mclayton,
// computed with Microsoft's Azure.Deployments.Expression package.
#[case::unique_string_so("[uniqueString('tyeth')]", json!("zcztcwvu6iyg6"))]
// Azure/terraform-provider-azapi, internal/services/functions/unique_string_function_test.go.
#[case::unique_string_azapi("[uniqueString('/subscriptions/00000000-0000-0000-0000-000000000000', 'resource-id')]", json!("cwvxuqg24sifi"))]
// microsoft/commercial-marketplace-offer-deploy, ArmFunctionsTests.cs in namespace Modm.Tests.UnitTests
// ("valueFromArmTemplate"; an earlier version of the file, test/Tests/ArmFunctionsTests.cs, expected
// "yeygmhukyx3qg" for the same input, which agrees with none of the other pairs).
#[case::unique_string_marketplace("[uniqueString('/subscriptions/31e9f9a0-9fd2-4294-a0a3-0101246d9700/resourceGroups/rg-modm201-20230913120256/providers/Microsoft.Compute/virtualMachines/bobjacmodm201')]", json!("yvjxno3je5on2"))]
// uniquestring.sh, a public bash reimplementation whose self-test is "verified against Bicep uniqueString() output".
#[case::unique_string_sh_test("[uniqueString('test')]", json!("rbgf3xv4ufgzg"))]
#[case::unique_string_sh_hello("[uniqueString('hello', 'world')]", json!("a7wkljktk6wne"))]
#[case::unique_string_sh_abc("[uniqueString('abc')]", json!("cgtzqvhu4i23s"))]
#[case::unique_string_sh_rg("[uniqueString('/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/my-rg')]", json!("bmg7c6xu4tw46"))]
#[case::unique_string_sh_three("[uniqueString('foo', 'bar', 'baz')]", json!("xzi4ioaxtmth4"))]
// guid: a version-5 UUID over ARM's namespace of the arguments joined with '-': so guid('a', 'b') == guid('a-b').
#[case::guid_join("[equals(guid('a', 'b'), guid('a-b'))]", json!(true))]
#[case::guid_shape("[substring(guid('x'), 14, 1)]", json!("5"))]
// Deployment and resources.
#[case::deployment_name("[deployment().name]", json!("dep1"))]
#[case::environment("[environment().suffixes.storage]", json!("core.windows.net"))]
#[case::parameters_ci("[parameters('STR')]", json!("Hello"))]
#[case::variables("[variables('v')]", json!("var"))]
#[case::resource_id("[resourceId('Microsoft.Storage/storageAccounts', 'sa1')]", json!(STORAGE))]
#[case::resource_id_rg("[resourceId('otherRg', 'Microsoft.Storage/storageAccounts', 'sa1')]", json!(format!("/subscriptions/{SUB}/resourceGroups/otherRg/providers/Microsoft.Storage/storageAccounts/sa1")))]
#[case::resource_id_sub_rg("[resourceId('s2', 'g2', 'Microsoft.Storage/storageAccounts', 'sa1')]", json!("/subscriptions/s2/resourceGroups/g2/providers/Microsoft.Storage/storageAccounts/sa1"))]
#[case::resource_id_nested("[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'sub')]", json!(format!("/subscriptions/{SUB}/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/vnet/subnets/sub")))]
#[case::subscription_resource_id("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'r1')]", json!(format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/r1")))]
#[case::subscription_resource_id_sub("[subscriptionResourceId('s2', 'Microsoft.Resources/resourceGroups', 'g')]", json!("/subscriptions/s2/providers/Microsoft.Resources/resourceGroups/g"))]
#[case::tenant_resource_id("[tenantResourceId('Microsoft.Management/managementGroups', 'mg')]", json!("/providers/Microsoft.Management/managementGroups/mg"))]
#[case::extension_resource_id("[extensionResourceId(resourceGroup().id, 'Microsoft.Authorization/locks', 'l')]", json!(format!("/subscriptions/{SUB}/resourceGroups/rg1/providers/Microsoft.Authorization/locks/l")))]
#[case::resource_group("[resourceGroup().name]", json!("rg1"))]
#[case::subscription("[subscription().subscriptionId]", json!(SUB))]
#[case::tenant("[tenant().tenantId]", json!(common::TENANT))]
#[case::providers("[providers('Microsoft.Storage', 'storageAccounts').locations[0]]", json!("eastus"))]
#[case::reference_id("[reference(resourceId('Microsoft.Storage/storageAccounts', 'sa1'), '2023-01-01').primaryEndpoints.blob]", json!("https://sa1.blob.core.windows.net/"))]
#[case::reference_full("[reference(resourceId('Microsoft.Storage/storageAccounts', 'sa1'), '2023-01-01', 'Full').location]", json!("eastus"))]
#[case::list_keys("[listKeys(resourceId('Microsoft.Storage/storageAccounts', 'sa1'), '2023-01-01').keys[0].value]", json!("secret"))]
#[case::list_action_name("[listAccountSas(resourceId('Microsoft.Storage/storageAccounts', 'sa1'), '2023-01-01', json('{}')).action]", json!("listAccountSas"))]
fn evaluates(#[case] text: &str, #[case] expected: Value) {
    assert_eq!(run(text).map_err(|e| e.message), Ok(expected), "{text}");
}

/// Failures: the code, words from the message, and the position (a character offset into the
/// JSON string, whose `[` is at 0) when the message carries one.
#[rstest]
#[case::unknown_function("[foo(1)]", "InvalidTemplate", "The template function 'foo' is not valid", Some(1))]
#[case::unknown_nested("[concat('a', bar())]", "InvalidTemplate", "The template function 'bar' is not valid", Some(13))]
#[case::too_many_args(
    "[add(1, 2, 3)]",
    "InvalidTemplate",
    "function requires 2 argument(s) while 3 were provided",
    Some(1)
)]
#[case::too_few_args(
    "[equals(1)]",
    "InvalidTemplate",
    "function requires 2 argument(s) while 1 were provided",
    Some(1)
)]
#[case::wrong_type(
    "[add('a', 1)]",
    "InvalidTemplate",
    "expects its first parameter to be of type 'Integer'. The provided value is of type 'String'",
    Some(1)
)]
#[case::wrong_type_second(
    "[sub(1, true())]",
    "InvalidTemplate",
    "expects its second parameter to be of type 'Integer'",
    Some(1)
)]
#[case::not_bool("[not('x')]", "InvalidTemplate", "of type 'Boolean'", Some(1))]
#[case::if_not_bool("[if(1, 2, 3)]", "InvalidTemplate", "of type 'Boolean'", Some(1))]
#[case::parse_unclosed_call(
    "[concat('a',]",
    "InvalidTemplate",
    "Unable to parse language expression 'concat('a',': expected token 'Identifier' and actual 'EndOfData'",
    Some(12)
)]
#[case::parse_trailing(
    "[concat('a'))]",
    "InvalidTemplate",
    "expected token 'EndOfData' and actual 'RightParenthesis'",
    Some(12)
)]
#[case::parse_bad_char(
    "[concat('a' # 'b')]",
    "InvalidTemplate",
    "the string character '#' at position '11' is not expected",
    Some(12)
)]
#[case::parse_unterminated("[concat('a)]", "InvalidTemplate", "is not terminated", Some(8))]
#[case::parse_empty("[]", "InvalidTemplate", "Unable to parse language expression", Some(1))]
#[case::parse_float("[add(1.5, 1)]", "InvalidTemplate", "expected token", None)]
#[case::missing_member(
    "[parameters('obj').zzz]",
    "InvalidTemplate",
    "The language expression property 'zzz' doesn't exist, available properties are 'a, B'",
    Some(18)
)]
#[case::index_out_of_bounds("[parameters('arr')[7]]", "InvalidTemplate", "array index '7' is out of bounds", Some(18))]
#[case::member_of_string("['a'.b]", "InvalidTemplate", "can't be evaluated", Some(4))]
#[case::unknown_parameter(
    "[parameters('nope')]",
    "InvalidTemplate",
    "The template parameter 'nope' is not found",
    Some(1)
)]
#[case::unknown_variable(
    "[variables('nope')]",
    "InvalidTemplate",
    "The template variable 'nope' is not found",
    Some(1)
)]
#[case::divide_by_zero("[div(1, 0)]", "InvalidTemplate", "divide by zero", Some(1))]
#[case::overflow("[mul(9223372036854775807, 2)]", "InvalidTemplate", "overflows", Some(1))]
#[case::int_not_number("[int('x')]", "InvalidTemplate", "can't be converted to an integer", Some(1))]
#[case::bool_bad("[bool('maybe')]", "InvalidTemplate", "can't be converted to a boolean", Some(1))]
#[case::json_bad("[json('{')]", "InvalidTemplate", "not valid JSON", Some(1))]
#[case::base64_bad("[base64ToString('***')]", "InvalidTemplate", "not a valid base64", Some(1))]
#[case::substring_range("[substring('abc', 2, 5)]", "InvalidTemplate", "out of range", Some(1))]
#[case::create_object_odd("[createObject('a')]", "InvalidTemplate", "must be even", Some(1))]
#[case::concat_mixed("[concat(createArray(1), 'a')]", "InvalidTemplate", "either all or none", Some(1))]
#[case::range_too_big("[range(0, 10001)]", "InvalidTemplate", "between 0 and 10000", Some(1))]
#[case::format_bad_index("[format('{1}', 'a')]", "InvalidTemplate", "Index (zero based)", Some(1))]
#[case::guid_not_string("[guid(1)]", "InvalidTemplate", "of type 'String'", Some(1))]
#[case::unique_string_no_args("[uniqueString()]", "InvalidTemplate", "at least 1 argument(s)", Some(1))]
#[case::pad_left_char("[padLeft('a', 3, 'xy')]", "InvalidTemplate", "single character", Some(1))]
#[case::date_time_add_bad(
    "[dateTimeAdd('2020-01-01', 'P1X')]",
    "InvalidTemplate",
    "not a valid ISO 8601 duration",
    Some(1)
)]
#[case::resource_id_segments(
    "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet')]",
    "InvalidTemplate",
    "requires '2' resource name argument(s)",
    Some(1)
)]
#[case::copy_index_outside(
    "[copyIndex()]",
    "InvalidTemplate",
    "The template function 'copyIndex' is not expected at this location",
    Some(1)
)]
#[case::utc_now_outside(
    "[utcNow()]",
    "InvalidTemplate",
    "The template function 'utcNow' is not expected at this location",
    Some(1)
)]
#[case::new_guid_outside(
    "[concat('a', newGuid())]",
    "InvalidTemplate",
    "The template function 'newGuid' is not expected at this location",
    Some(13)
)]
#[case::reference_missing(
    "[reference(resourceId('Microsoft.Storage/storageAccounts', 'nope'), '2023-01-01')]",
    "ResourceNotFound",
    "was not found",
    None
)]
#[case::reference_undefined_name(
    "[reference('nope')]",
    "InvalidTemplate",
    "The resource 'nope' is not defined in the template",
    Some(1)
)]
fn fails(#[case] text: &str, #[case] code: &str, #[case] words: &str, #[case] pos: Option<usize>) {
    let err = match run(text) {
        Ok(v) => panic!("{text} evaluated to {v}"),
        Err(e) => e,
    };
    assert_eq!(err.code, code, "{text}: {}", err.message);
    assert!(err.message.contains(words), "{text}: {}", err.message);
    if let Some(p) = pos {
        assert!(err.message.contains(&format!("position {p})")), "{text}: expected position {p}: {}", err.message);
    }
    if code == "InvalidTemplate" {
        assert!(
            err.message.starts_with("Deployment template language expression evaluation failed: '"),
            "{}",
            err.message
        );
    }
}

#[test]
fn nothing_panics_on_garbage() {
    // Malformed and hostile inputs end in errors or values, never panics.
    let inputs = [
        "[",
        "]",
        "[[",
        "[]]",
        "[(]",
        "[)]",
        "[,]",
        "['']",
        "[''''']",
        "[a.b.c]",
        "[a(]",
        "[a(,)]",
        "[-]",
        "[--1]",
        "[99999999999999999999]",
        "[a()[]",
        "[a()[1]",
        "[a().]",
        "[f(g(h(i(j(k())))))]",
        "[ 'x' ]",
        "[concat('é', 'ü')]",
        "[substring('é', 1)]",
        "[padLeft('x', 999999)]",
        "[range(2147483647, 1)]",
        "[skip('x', -5)]",
        "[take(createArray(), -1)]",
        "[format('{0,99999999999}', 1)]",
        "[format('{', 1)]",
        "[dateTimeAdd('x', 'P1D')]",
        "[items(createArray())]",
        "[min()]",
        "[first(1)]",
        "[json('[1,2')]",
        "[base64ToJson('e30=')]",
        "[parameters('arr')[-1]]",
        "[parameters('obj')[1]]",
    ];
    for text in inputs {
        let _ = run(text);
    }
    let deep = format!("[{}1{}]", "add(".repeat(300), ", 1)".repeat(300));
    assert!(run(&deep).is_err());
}
