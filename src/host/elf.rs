//! What an ELF file says about the userland that built it: class, machine, ARM float ABI,
//! program interpreter (the loader, which names the libc), and the ARM build attributes.
//!
//! Sources: the System V ABI (ELF header, `PT_INTERP`), ARM's "ELF for the Arm Architecture"
//! (`e_flags`: `EF_ARM_ABI_FLOAT_HARD` 0x400, `EF_ARM_ABI_FLOAT_SOFT` 0x200, EABI version in the
//! top byte) and "Addenda to the ARM ABI" (`.ARM.attributes`, vendor `aeabi`: `Tag_CPU_arch` = 6
//! with 6 = ARMv6, 10 = ARMv7, 14 = ARMv8-A; `Tag_ABI_VFP_args` = 28, 1 = VFP registers).
//! Parsing is pure: bytes (or a file read lazily) in, facts out.

use object::elf;
use object::read::elf::{FileHeader, ProgramHeader, SectionHeader};
use object::{Endianness, ReadRef};

/// Facts read from one ELF file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ElfFacts {
    /// 32 or 64.
    pub class: u8,
    /// `e_machine` (`EM_X86_64` 62, `EM_386` 3, `EM_ARM` 40, `EM_AARCH64` 183, …).
    pub machine: u16,
    /// `e_flags`.
    pub flags: u32,
    /// `PT_INTERP`, e.g. `/lib/ld-linux-armhf.so.3`; `None` for static files.
    pub interp: Option<String>,
    /// ARM `Tag_CPU_arch` (6 = v6, 10 = v7, 14 = v8-A).
    pub arm_cpu_arch: Option<u64>,
    /// ARM `Tag_ABI_VFP_args` (1 = arguments in VFP registers, i.e. hard-float).
    pub arm_vfp_args: Option<u64>,
}

/// ARM float ABI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloatAbi {
    /// `gnueabihf`: floating-point arguments in VFP registers.
    Hard,
    /// `gnueabi`: soft-float calling convention.
    Soft,
}

/// `e_machine` values (System V ABI), as plain numbers so they can be matched on.
pub const EM_386: u16 = 3;
/// PowerPC64.
pub const EM_PPC64: u16 = 21;
/// IBM S/390.
pub const EM_S390: u16 = 22;
/// 32-bit ARM.
pub const EM_ARM: u16 = 40;
/// x86-64.
pub const EM_X86_64: u16 = 62;
/// AArch64.
pub const EM_AARCH64: u16 = 183;
/// RISC-V.
pub const EM_RISCV: u16 = 243;
/// LoongArch.
pub const EM_LOONGARCH: u16 = 258;

/// `e_flags` bit for the hard-float ABI (ARM ELF).
pub const EF_ARM_ABI_FLOAT_HARD: u32 = 0x400;
/// `e_flags` bit for the soft-float ABI (ARM ELF).
pub const EF_ARM_ABI_FLOAT_SOFT: u32 = 0x200;
const TAG_CPU_ARCH: u64 = 6;
const TAG_ABI_VFP_ARGS: u64 = 28;

/// Why a file could not be read as ELF.
#[derive(Debug, thiserror::Error)]
#[error("not a readable ELF file: {0}")]
pub struct NotElf(String);

impl ElfFacts {
    /// Reads the facts from a whole ELF file's bytes (a prefix is enough for the class, machine
    /// and interpreter; `.ARM.attributes` needs the section headers at the end of the file).
    ///
    /// # Errors
    /// [`NotElf`] when the bytes are not an ELF file of a known class.
    pub fn parse(data: &[u8]) -> Result<ElfFacts, NotElf> {
        Self::parse_from(data)
    }

    /// Reads the facts from an open ELF file (any `Read + Seek`), reading only the headers, the section name table
    /// and `.ARM.attributes` (a few KiB, wherever they sit in a file of any size), through
    /// `object`'s read cache.
    ///
    /// # Errors
    /// [`NotElf`] when the file cannot be read or is not an ELF file of a known class.
    pub fn read<F: std::io::Read + std::io::Seek>(file: F) -> Result<ElfFacts, NotElf> {
        Self::parse_from(&object::ReadCache::new(file))
    }

    fn parse_from<'data, R: ReadRef<'data>>(data: R) -> Result<ElfFacts, NotElf> {
        let ident = data.read_bytes_at(0, 5).map_err(|()| NotElf("cannot read an ELF identification (too short or unreadable)".into()))?;
        match ident {
            [0x7f, b'E', b'L', b'F', 1] => parse_class::<elf::FileHeader32<Endianness>, R>(data, 32),
            [0x7f, b'E', b'L', b'F', 2] => parse_class::<elf::FileHeader64<Endianness>, R>(data, 64),
            [0x7f, b'E', b'L', b'F', _] => Err(NotElf("unknown ELF class".into())),
            _ => Err(NotElf("no ELF magic".into())),
        }
    }

    /// The ARM float ABI: from `e_flags`, else from `Tag_ABI_VFP_args`, else from the loader's name.
    pub fn float_abi(&self) -> Option<FloatAbi> {
        if self.machine != EM_ARM {
            return None;
        }
        if self.flags & EF_ARM_ABI_FLOAT_HARD != 0 {
            return Some(FloatAbi::Hard);
        }
        if self.flags & EF_ARM_ABI_FLOAT_SOFT != 0 {
            return Some(FloatAbi::Soft);
        }
        match (self.arm_vfp_args, self.interp.as_deref()) {
            (Some(1), _) => Some(FloatAbi::Hard),
            (_, Some(i)) if i.contains("armhf") => Some(FloatAbi::Hard),
            (_, Some(_)) => Some(FloatAbi::Soft),
            _ => None,
        }
    }

    /// The ARM EABI version from the top byte of `e_flags` (5 for every current ARM Linux).
    pub fn arm_eabi_version(&self) -> Option<u32> {
        (self.machine == EM_ARM).then_some(self.flags >> 24)
    }
}

fn parse_class<'data, H: FileHeader<Endian = Endianness>, R: ReadRef<'data>>(data: R, class: u8) -> Result<ElfFacts, NotElf> {
    let header = H::parse(data).map_err(|e| NotElf(e.to_string()))?;
    let endian = header.endian().map_err(|e| NotElf(e.to_string()))?;
    let mut facts = ElfFacts { class, machine: header.e_machine(endian).0, flags: header.e_flags(endian).0, ..ElfFacts::default() };
    if let Ok(phdrs) = header.program_headers(endian, data) {
        for ph in phdrs {
            if ph.p_type(endian) == elf::PT_INTERP
                && let Ok(Some(bytes)) = ph.interpreter(endian, data)
            {
                facts.interp = Some(String::from_utf8_lossy(bytes).into_owned());
            }
        }
    }
    if facts.machine == EM_ARM
        && let Ok(sections) = header.sections(endian, data)
        && let Some((_, section)) = sections.section_by_name(endian, b".ARM.attributes")
        && let Ok(attrs) = section.attributes(endian, data)
    {
        read_arm_attributes(&attrs, &mut facts);
    }
    Ok(facts)
}

/// Reads `Tag_CPU_arch` and `Tag_ABI_VFP_args` from the `aeabi` file attributes. In this format
/// tags 4, 5, 67 and odd tags above 32 carry strings; 32 (`Tag_compatibility`) carries a number and
/// a string; all others carry ULEB128 numbers.
fn read_arm_attributes<H: FileHeader>(attrs: &object::read::elf::AttributesSection<'_, H>, facts: &mut ElfFacts) {
    let Ok(mut subsections) = attrs.subsections() else { return };
    while let Ok(Some(sub)) = subsections.next() {
        if sub.vendor() != b"aeabi" {
            continue;
        }
        let mut subsubs = sub.subsubsections();
        while let Ok(Some(subsub)) = subsubs.next() {
            if subsub.tag() != elf::Tag_File {
                continue;
            }
            let mut r = subsub.attributes();
            while let Ok(Some(tag)) = r.read_tag() {
                let string = matches!(tag, 4 | 5 | 67) || (tag > 32 && tag % 2 == 1);
                let ok = if tag == 32 {
                    r.read_integer().is_ok() && r.read_string().is_ok()
                } else if string {
                    r.read_string().is_ok()
                } else {
                    match r.read_integer() {
                        Ok(v) if tag == TAG_CPU_ARCH => facts.arm_cpu_arch = Some(v),
                        Ok(v) if tag == TAG_ABI_VFP_ARGS => facts.arm_vfp_args = Some(v),
                        Ok(_) => {}
                        Err(_) => return,
                    }
                    true
                };
                if !ok {
                    return;
                }
            }
        }
    }
}

/// A short human name for `e_machine` values tcup knows.
pub fn machine_name(machine: u16) -> &'static str {
    match machine {
        EM_X86_64 => "x86-64",
        EM_386 => "i386",
        EM_ARM => "ARM",
        EM_AARCH64 => "AArch64",
        EM_RISCV => "RISC-V",
        EM_PPC64 => "PowerPC64",
        EM_S390 => "s390",
        EM_LOONGARCH => "LoongArch",
        _ => "unknown",
    }
}
