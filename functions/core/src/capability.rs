//! What every function's `Cloud` implementation repeats: handing out the capabilities it holds
//! (`type Ec2 = Ec2;` and `fn ec2(&self) -> &Ec2 { &self.ec2 }`), written once as a macro.

/// Hands out capabilities in an implementation of a function's `Cloud` trait: for each
/// `Assoc = Type => method(field)`, the associated type `Assoc` is `Type` and `method` lends the
/// field that holds it.
///
/// ```
/// trait Cloud {
///     type Numbers;
///     type Name;
///     fn numbers(&self) -> &Self::Numbers;
///     fn name(&self) -> &Self::Name;
/// }
///
/// struct Held {
///     numbers: Vec<u32>,
///     label: String,
/// }
///
/// impl Cloud for Held {
///     env_core::capabilities! {
///         Numbers = Vec<u32> => numbers(numbers),
///         Name = String => name(label),
///     }
/// }
///
/// let held = Held { numbers: vec![1, 2], label: "pr-42".into() };
/// assert_eq!(held.numbers(), &[1, 2]);
/// assert_eq!(held.name(), "pr-42");
/// ```
#[macro_export]
macro_rules! capabilities {
    ($($assoc:ident = $ty:ty => $method:ident($field:ident)),+ $(,)?) => {
        $(
            type $assoc = $ty;

            fn $method(&self) -> &$ty {
                &self.$field
            }
        )+
    };
}
