import Conf from 'conf';
setTimeout(()=>{},0);
try { const c = new Conf({cwd: '/proc/cloudrig', configName:'settings'}); console.log('made'); console.log(c.store);} catch(e){console.log('err', e.message)}
